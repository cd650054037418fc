"""The ``notice`` outbox channel: deliver a queued notice exactly once.

The dispatcher calls :func:`deliver_notice` inside the transaction that marks the
outbox message sent. The notice row is locked and its delivery recorded in that
same transaction (``NoticeEvent`` "sent" is unique per notice), so a retry or a
worker killed before the commit delivers again from scratch and one killed after
it finds the notice delivered and does nothing.

Email leaves the building only after that transaction commits
(``transaction.on_commit``): a worker death can lose the hand-over to the mail
server (the notice then shows "sent" without "email handed to the mail server",
for a person to check) but can never email twice.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from carecoord.clocks.outbox import register_channel

from .models import Channel, Notice, NoticeEvent

log = logging.getLogger(__name__)


def _user(pk):
    if not pk:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=pk).first()


@register_channel("notice")
def deliver_notice(message) -> None:
    from .pdf import render_pdf
    from .services import notice_mark_delivered

    notice = Notice.objects.select_for_update(of=("self",)).select_related("member", "case", "sender_org", "recipient_org").filter(
        pk=message.payload.get("notice")).first()
    if notice is None or notice.status != Notice.Status.QUEUED:
        return
    if notice.events.filter(kind__in=[NoticeEvent.Kind.SENT, NoticeEvent.Kind.QUEUED_FOR_PRINT]).exists():
        return
    by = _user(message.payload.get("by"))
    if notice.channel == Channel.MAIL:
        render_pdf(notice)  # proves the letter renders before it is put in the print queue
        NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.QUEUED_FOR_PRINT, by=by,
                                   detail="PDF ready to print and mail")
        return
    if notice.channel == Channel.EMAIL:
        notice_mark_delivered(notice=notice, by=by, detail=f"Email to {notice.recipient_email}")
        transaction.on_commit(lambda: send_notice_email(notice.pk))
        return
    # Fax, phone, secure email and portal go through the organization's own systems; we log the contact.
    NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.CONTACT_LOGGED, by=by,
                               detail=f"{notice.get_channel_display()}: {notice.recipient_fax or notice.recipient_email or notice.recipient_display}")
    notice_mark_delivered(notice=notice, by=by, detail=notice.get_channel_display())


def send_notice_email(notice_pk: int) -> None:
    """Hand the email (PDF attached) to Django's email backend, after the delivery is committed."""
    from .pdf import render_pdf

    notice = Notice.objects.select_related("member", "sender_org", "recipient_org").get(pk=notice_pk)
    if notice.events.filter(kind=NoticeEvent.Kind.EMAIL_DELIVERED).exists():
        return
    email = EmailMessage(
        subject=notice.subject, body=notice.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[notice.recipient_email],
        # A stable Message-ID lets a receiving server recognise the one notice should it ever see it twice.
        headers={"Message-ID": f"<notice-{notice.pk}@carecoord>"},
    )
    email.attach(f"notice-{notice.pk}.pdf", render_pdf(notice), "application/pdf")
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # the mail server refused: a person must resend by another channel
        log.exception("notice %s email failed", notice.pk)
        with transaction.atomic():
            NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.EMAIL_FAILED, detail=str(exc)[:500])
            Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.FAILED)
        return
    NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.EMAIL_DELIVERED, detail=notice.recipient_email)
