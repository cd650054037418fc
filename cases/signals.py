"""Signals of the cases app.

``case_status_changed`` is sent inside the transaction that moves a case to a new
status, with ``case=<Case>``, ``previous_status`` and ``entry=<TimelineEntry>`` (the
change's own timeline line); receivers (e.g. plan webhooks) should enqueue through
the outbox rather than call out directly.
"""
from django.dispatch import Signal

case_status_changed = Signal()
