"""Load a realistic, state-sized data set fast with PostgreSQL COPY (see carecoord.scale.dataset)."""
from __future__ import annotations

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from carecoord.scale.dataset import DatasetGenerator, reset_dataset


class Command(BaseCommand):
    help = "Generate members, coverage, cases, care teams, referrals, consents, deadlines and staff with COPY."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=10_000, help="Number of members (e.g. 10000, 100000, 1000000).")
        parser.add_argument("--reset", action="store_true", help="Empty the generated tables first (everything that refers to them too).")
        parser.add_argument("--seed", type=int, default=14)

    def handle(self, *args, members: int, reset: bool, seed: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_dataset loads with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database.")
        if reset:
            reset_dataset(log=self.stdout.write)
        generator = DatasetGenerator(members=members, seed=seed, log=self.stdout.write)
        try:
            report = generator.run()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        # A COPY sends no signals, so the users cached for this database (carecoord.audit.auth) would outlive
        # the ones it replaced: the cache starts afresh (sessions stay, in their table).
        cache.clear()
        total_rows = sum(report.rows.values())
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {total_rows:,} rows for {members:,} members in {report.total_seconds:.1f} s"))
