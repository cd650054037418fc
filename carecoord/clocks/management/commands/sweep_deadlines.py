"""Run one deadline sweep (and deliver the outbox) by hand: for operations and demonstrations."""
from django.core.management.base import BaseCommand

from carecoord.clocks.outbox import outbox_dispatch_pending
from carecoord.clocks.sweep import sweep_deadlines


class Command(BaseCommand):
    help = "Warn, mark missed and escalate due deadlines now, then deliver pending outbox messages."

    def add_arguments(self, parser):
        parser.add_argument("--no-dispatch", action="store_true", help="Only sweep; leave the outbox to the workers.")

    def handle(self, *args, no_dispatch=False, **options):
        result = sweep_deadlines()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in result.as_dict().items()))
        if not no_dispatch:
            self.stdout.write(f"outbox messages sent: {outbox_dispatch_pending()}")
