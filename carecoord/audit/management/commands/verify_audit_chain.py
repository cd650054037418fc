"""``manage.py verify_audit_chain``: exit 0 when the access audit chain is intact, else name
the first broken row and exit 1."""
from django.core.management.base import BaseCommand, CommandError

from carecoord.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the access audit trail; names the first edited or deleted row."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            where = f"seq={report.broken_seq}" + (f" id={report.broken_id}" if report.broken_id else "")
            raise CommandError(f"Audit chain BROKEN at row {where}: {report.reason} "
                               f"({report.rows} rows verified before it).")
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact: {report.rows} rows, head seq={report.head_seq}."
        ))
