"""Signals of the notices app.

``notice_sent`` is sent inside the transaction that marks a notice sent, with
``notice=<Notice>``; receivers (e.g. plan webhooks) should enqueue through the
outbox rather than call out directly.
"""
from django.dispatch import Signal

notice_sent = Signal()
