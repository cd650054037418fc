"""Run a Whole Child Model bulk job over a synthetic population and report its progress and elapsed time.

    manage.py wcm_bulk_demo --members 10000 [--wave 90] [--batch-size 200]

Creates (once) a synthetic county, CCS program, plan and ``--members`` CCS children enrolled in the plan
(CINs ``8xxxxxxxZ``, kept apart from the demo data), then a new transition of them, confirms it (the
selection), and runs the family-notice job of ``--wave`` in this process, printing the progress after each
batch. Rerunning reuses the children and starts a new transition. A benchmark, not a test.
"""
from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from carecoord.accounts.models import County, Organization, User
from cases.models import Case, Coverage, Member


class Command(BaseCommand):
    help = "Synthetic Whole Child Model transition of N children; runs the bulk family-notice job with progress and timing."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=10000)
        parser.add_argument("--wave", choices=["90", "60", "30"], default="90")
        parser.add_argument("--batch-size", type=int, default=None)

    def _population(self, n: int):
        county, _ = County.objects.get_or_create(name="Bulk Demo County", defaults={"fips_code": "06999", "plan_model": "single_plan"})
        program, _ = Organization.objects.get_or_create(name="Bulk Demo County CCS", type=Organization.Type.CCS_COUNTY,
                                                        defaults={"county": county, "phone": "555-0100"})
        plan, _ = Organization.objects.get_or_create(name="Bulk Demo Health Plan", type=Organization.Type.MCP)
        admin = User.objects.filter(username="bulk_demo_admin").first()
        if admin is None:
            admin = User.objects.create_user(username="bulk_demo_admin", role=User.Role.SUPERVISOR, organization=program,
                                             first_name="Bulk", last_name="Demo")
        have = Member.objects.filter(county=county).count()
        if have < n:
            started = time.monotonic()
            today = timezone.localdate()
            with transaction.atomic():
                members = Member.objects.bulk_create([
                    Member(first_name=f"Child{i}", last_name=f"Bulk{i % 500}", date_of_birth=today - datetime.timedelta(days=400 + i % 5000),
                           cin=f"8{i:07d}Z", county=county, preferred_language="es" if i % 3 == 0 else "en",
                           address_line1="" if i % 50 == 0 else f"{i} Demo Street", city="Demo", zip_code="95000",
                           phone=f"555-{i % 10000:04d}")
                    for i in range(have, n)], batch_size=2000)
                Coverage.objects.bulk_create([Coverage(member=m, kind=Coverage.Kind.MCP, plan=plan,
                                                       start_date=today - datetime.timedelta(days=100)) for m in members], batch_size=2000)
                Case.objects.bulk_create([Case(member=m, program="ccs", status=Case.Status.OPEN, organization=program,
                                               opened_at=timezone.now()) for m in members], batch_size=2000)
            self.stdout.write(f"created {n - have} synthetic children in {time.monotonic() - started:.1f}s")
        return county, program, plan, admin

    def handle(self, *args, members: int, wave: str, batch_size: int | None, **options):
        from transitions import population_services as svc

        if batch_size:
            settings.CARECOORD["POPULATION_JOB_BATCH_SIZE"] = batch_size
        county, program, plan, admin = self._population(members)
        # Fresh planner statistics after the bulk inserts, as autovacuum would give a long-lived database.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        started = time.monotonic()
        transition = svc.population_transition_create(
            name=f"Bulk demo {timezone.now():%Y-%m-%d %H:%M:%S}", county=county, county_program=program, plans=[plan],
            transition_date=timezone.localdate() + datetime.timedelta(days=100), created_by=admin)
        transition = svc.population_transition_confirm(transition=transition, by=admin)
        self.stdout.write(f"selected and confirmed {transition.member_count} children in {time.monotonic() - started:.1f}s")
        job = svc.bulk_job_start(transition=transition, kind="notices", wave=wave, by=admin)
        started = time.monotonic()
        last_print = [0.0]

        def progress(j):
            now = time.monotonic()
            if now - last_print[0] >= 2 or j.processed == j.total:
                last_print[0] = now
                rate = j.processed / max(now - started, 1e-6)
                self.stdout.write(f"  {j.processed:>6}/{j.total} ({j.percent:3d}%)  {now - started:6.1f}s  {rate:6.0f} children/s")

        job = svc.bulk_job_run(job.pk, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"job {job.pk} {job.status}: {job.processed} children, {job.created} written ({job.skipped} already done), "
            f"{elapsed:.1f}s elapsed, {job.processed / max(elapsed, 1e-6):.0f} children/s"))
