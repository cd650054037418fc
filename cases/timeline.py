"""Writes the case timeline: one chronological feed of every change to a case and its parts.

Services call :func:`timeline_record` inside their own transaction, so a change
and its timeline line are written together or not at all.
"""
from __future__ import annotations

from django.utils import timezone

from .models import Case, TimelineEntry


def timeline_record(*, case: Case, kind: str, summary: str, actor=None, data: dict | None = None, at=None) -> TimelineEntry:
    at = at or timezone.now()
    entry = TimelineEntry.objects.create(case=case, kind=kind, summary=summary[:500], actor=actor, data=data or {}, at=at)
    # Activity feeds the "no activity in 30 days" (lost to follow-up) report.
    Case.objects.filter(pk=case.pk, last_activity_at__lt=at).update(last_activity_at=at)
    return entry
