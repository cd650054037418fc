"""Benchmark pages, APIs, the export and the sweep on the loaded data set (see carecoord.scale.bench)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from carecoord.process import prepare_server_process
from carecoord.scale.bench import Benchmark, compare, format_table, machine_speed, save
from cases.models import Member


class Command(BaseCommand):
    help = "Median and p95 of the work queue, case lists, member search, dashboard, tracking-list export and sweep."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=40, help="Repeats per scenario (40: the 95th percentile is then the third slowest).")
        parser.add_argument("--deep-pages", type=int, default=10, help="How many cursor pages in the deep page is.")
        parser.add_argument("--compare", dest="compare_only", action="store_true", help="Print growth across the saved results and stop.")
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "bench"), help="Where results are saved as <members>.json.")
        parser.add_argument("--no-save", action="store_true")

    def handle(self, *args, runs: int, deep_pages: int, compare_only: bool, out: str, no_save: bool, **options):
        directory = Path(out)
        if compare_only:
            self.stdout.write(compare(directory))
            return
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL (set DATABASE_URL).")
        if settings.DEBUG:
            # Debug mode keeps every query and renders templates for debugging: not how the app is served.
            raise CommandError("Run the benchmark with DEBUG off (DEBUG=0), as in production.")
        members = Member.objects.count()
        if not members:
            raise CommandError("No data set: run generate_dataset first.")
        prepare_server_process()  # as the WSGI entry point does in every server process
        self.stdout.write(f"Benchmark on {members:,} members, {runs} runs per scenario")
        machine = machine_speed()
        self.stdout.write(machine.describe())
        results = Benchmark(runs=runs, deep_pages=deep_pages, log=self.stdout.write).run()
        self.stdout.write("")
        self.stdout.write(machine.describe())
        self.stdout.write(format_table(results))
        if not no_save:
            path = save(results, members=members, directory=directory, machine=machine)
            self.stdout.write(f"\nSaved {path}")

