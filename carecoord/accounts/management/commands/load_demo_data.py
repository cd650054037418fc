"""Load the demo data set (idempotent) and print one login per role."""
from django.core.management.base import BaseCommand

from carecoord.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load a realistic demo data set (several counties, plans, providers, ~50 members). Safe to run twice."

    def handle(self, *args, **options):
        ctx = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(ctx.members)} members."))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, role, sees in ctx.logins:
            self.stdout.write(f"  {username:<16} {role:<20} {sees}")
