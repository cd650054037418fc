"""Celery tasks of the transitions app.

``population_bulk_job`` runs a Whole Child Model bulk job (family notices, continuity-of-care agreements,
the welcome call list) from its cursor. It takes the job's id and holds no state: ``acks_late`` and
``reject_on_worker_lost`` bring a job whose worker died back to another worker, which continues from the
last committed batch once the dead runner's lease has run out (a redelivery inside the lease retries shortly).
"""
from __future__ import annotations

from celery import shared_task

from carecoord.clocks.tasks import RETRY_OPTIONS


@shared_task(name="transitions.population_bulk_job", bind=True, **RETRY_OPTIONS)
def population_bulk_job(self, job_id: int) -> dict:
    from django.utils import timezone

    from .population_services import bulk_job_run

    job = bulk_job_run(job_id)
    if job is not None and job.is_live and job.lease_until and job.lease_until > timezone.now():
        # Redelivered while the dead runner's lease still holds: come back when it has run out (seconds, not hours).
        wait = (job.lease_until - timezone.now()).total_seconds() + 1
        raise self.retry(countdown=min(int(wait), 120))
    return {"job": job_id, "status": getattr(job, "status", None), "processed": getattr(job, "processed", 0)}
