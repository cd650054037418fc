"""A real Celery worker killed in the middle of a family-notice job: a new worker finishes it and no family gets a
notice twice. The first worker is held inside a batch (the test holds an uncommitted family-notice row with the
same unique key as one the worker is about to write), then killed with SIGKILL; the dead worker's lease runs out
and the job is handed to a new worker, as the dashboard's "resume" does."""
import datetime

import psycopg2
import pytest
from django.db import connection

from tests.conftest import requires_postgres, wait_until
from tests.factories import CaseFactory, CoverageFactory, MemberFactory
from tests.transitions.factories import transition_date_ahead
from transitions import population_services as svc
from transitions.population import BulkJob, FamilyNotice, PopulationTransitionMember
from transitions.tasks import population_bulk_job

pytestmark = [pytest.mark.worker, pytest.mark.slow, requires_postgres()]
CHILDREN = 12


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_job_then_resumed_sends_each_family_one_notice(celery_worker_process, county_a, program_a, plan_x,
                                                                         supervisor_a, monkeypatch):
    monkeypatch.setenv("POPULATION_JOB_BATCH_SIZE", "2")
    monkeypatch.setenv("POPULATION_JOB_LEASE_SECONDS", "3")
    for _ in range(CHILDREN):
        member = MemberFactory(county=county_a)
        CoverageFactory(member=member, plan=plan_x)
        CaseFactory(member=member, organization=program_a)
    transition = svc.population_transition_create(name="County A", county=county_a, county_program=program_a, plans=[plan_x],
                                                  transition_date=transition_date_ahead(), created_by=supervisor_a)
    transition = svc.population_transition_confirm(transition=transition, by=supervisor_a)
    held = PopulationTransitionMember.objects.filter(transition=transition).order_by("pk")[7]
    # given another session holding an uncommitted notice row of the 8th family (so the worker waits inside batch 4)
    db = connection.settings_dict
    blocker = psycopg2.connect(dbname=db["NAME"], user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)
    try:
        with blocker.cursor() as cursor:
            cursor.execute("INSERT INTO transitions_familynotice (transition_member_id, wave, follow_up_reason, created_at) "
                           "VALUES (%s, '90', 'held by the test', now())", [held.pk])
        # when a worker runs the 90-day job and is killed while waiting inside that batch
        first = celery_worker_process(concurrency=1)
        job = svc.bulk_job_start(transition=transition, kind="notices", wave="90", by=supervisor_a)
        wait_until(lambda: _lock_waiters() > 0, timeout=90, message="the worker to reach the held family")
        first.kill()
    finally:
        blocker.rollback()
        blocker.close()
    job.refresh_from_db()
    # then the batches before it are committed and nothing of the killed batch is
    assert job.status == BulkJob.Status.RUNNING and job.processed == 6
    assert FamilyNotice.objects.filter(transition_member__transition=transition).count() == 6
    # when a new worker starts and the job is handed back to it once the dead runner's lease has run out
    celery_worker_process(concurrency=2)
    wait_until(lambda: BulkJob.objects.get(pk=job.pk).lease_until < datetime.datetime.now(datetime.UTC), timeout=30,
               message="the dead runner's lease to run out")
    population_bulk_job.delay(job.pk)
    wait_until(lambda: BulkJob.objects.get(pk=job.pk).status == BulkJob.Status.DONE, timeout=120, message="the job to finish")
    # then every family has exactly one 90-day notice
    job.refresh_from_db()
    assert job.processed == CHILDREN and job.runs >= 2
    from notices.models import Notice

    per_case = list(Notice.objects.filter(kind="wcm_transition_90").values_list("case_id", flat=True))
    assert len(per_case) == CHILDREN == len(set(per_case))
    assert FamilyNotice.objects.filter(wave="90").count() == CHILDREN
