"""Create, send and track notices.

``notice_create`` renders the text from the active template (member's language,
English with a flag when there is no translation), checks the date rules and
opens the mailing clock; ``notice_send`` checks the disclosure for third-party
recipients and queues exactly one outbox message (key ``notice:<pk>:send``);
the ``notice`` outbox channel (:mod:`notices.outbox_handlers`) delivers it once
and calls :func:`notice_mark_delivered`. Mail is delivered when it is marked
mailed. Returned letters open a follow-up task; plans acknowledge notifications.

Clocks: a notice opens ``clock_rule`` on itself (CCS NOA 7 days, plan NOA 2 days,
plan-choice NOA 10 days before activation) and, when delivered, meets that clock
plus every rule code in ``meets`` open on the notice's case (or member when there
is no case), restricted to ``occurrence`` when one is given.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.errors import RuleViolation

from .appeals import start_filing_windows
from .models import (
    FIRST_PARTY_RECIPIENTS, TEN_DAY_ADVANCE_KINDS, Channel, Notice, NoticeEvent, NoticeKind, NoticeTemplate, RecipientKind,
)
from .rendering import render_notice
from .signals import notice_sent
from .taglines import taglines_text

TEN_DAYS = 10
PAGE_BREAK = "\f"  # starts a new page in the PDF (the taglines page)
OUTBOX_CHANNEL = "notice"

# The clock a notice opens on itself at creation; delivery meets it.
_CLOCK_FOR_KIND: dict[str, str] = {
    NoticeKind.CCS_NOA: "ccs.noa_after_decision",
    NoticeKind.CCS_DENIAL: "ccs.noa_after_decision",
    NoticeKind.ADVANCE_NOTICE: "plan.noa_mailing",
    NoticeKind.NOA_PLAN_CHOICE: "ecm.noa_plan_choice",
}
# Clocks counted back from the action date (the notice must go out N days before it).
_BEFORE_RULES = {"ecm.noa_plan_choice"}

# What a notice to a third party contains, by default, for the disclosure check.
_DEFAULT_CATEGORIES: dict[str, tuple[str, ...]] = {
    NoticeKind.RESIDENTIAL_ADMISSION: ("sud",),
    NoticeKind.RESIDENTIAL_DISCHARGE: ("sud",),
    NoticeKind.MAT_REFERRAL: ("sud",),
    NoticeKind.CRISIS_FOLLOW_UP: ("general", "mental_health"),
}
_PURPOSE_FOR_KIND: dict[str, str] = {
    NoticeKind.PCP_MEDICAL_REPORT: "treatment",
    NoticeKind.MAT_REFERRAL: "referral",
    NoticeKind.ELIGIBILITY_OUTCOME_TO_PLAN: "enrollment",
    NoticeKind.WCM_TRANSITION_90: "transition",
    NoticeKind.WCM_TRANSITION_60: "transition",
    NoticeKind.WCM_TRANSITION_30: "transition",
}


# --------------------------------------------------------------------------- create


def _pacific_now() -> datetime.datetime:
    return timezone.localtime(timezone.now())


def _check_dates(*, kind: str, action_date: datetime.date | None, notice_date: datetime.date) -> None:
    if kind not in TEN_DAY_ADVANCE_KINDS:
        return
    if action_date is None:
        if kind != NoticeKind.CCS_NOA:
            raise RuleViolation(_("Give the date the change takes effect."), field="action_date", rule="noa.action_date_required")
        return
    if (action_date - notice_date).days < TEN_DAYS:
        raise RuleViolation(
            _("A Notice of Action must be dated at least %(days)s days before the change it announces; "
              "the earliest action date for a notice dated %(today)s is %(earliest)s.") % {
                "days": TEN_DAYS, "today": notice_date.isoformat(),
                "earliest": (notice_date + datetime.timedelta(days=TEN_DAYS)).isoformat()},
            field="action_date", rule="noa.ten_day_advance",
        )


def _sender_for(*, case, created_by):
    if case is not None:
        return case.organization
    return getattr(created_by, "organization", None)


# How a letter to the family is addressed, in the letter's language (not the user's).
_FAMILY_ADDRESSEE = {"en": "Parent or guardian of {name}", "es": "Padre, madre o tutor(a) de {name}"}


def _recipient_defaults(*, member, recipient_kind: str, recipient_org, recipient_name: str, channel: str, language: str) -> dict:
    if recipient_org is not None:
        return {
            "recipient_name": recipient_name or recipient_org.name,
            "recipient_address": recipient_org.address,
            "recipient_email": (recipient_org.secure_email or recipient_org.email) if channel == Channel.SECURE_EMAIL else recipient_org.email,
            "recipient_fax": recipient_org.fax,
        }
    if recipient_kind in FIRST_PARTY_RECIPIENTS:
        name = recipient_name or (member.full_name if recipient_kind == RecipientKind.MEMBER
                                  else _FAMILY_ADDRESSEE.get(language, _FAMILY_ADDRESSEE["en"]).format(name=member.full_name))
        return {"recipient_name": name, "recipient_address": member.mailing_address, "recipient_email": member.email,
                "recipient_fax": ""}
    if not recipient_name.strip():
        raise RuleViolation(_("Name the recipient or choose their organization."), field="recipient_name", rule="notice.recipient_required")
    return {"recipient_name": recipient_name.strip(), "recipient_address": "", "recipient_email": "", "recipient_fax": ""}


def _json_safe(context: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v)
            for k, v in context.items() if isinstance(v, (str, int, float, bool, list, dict, datetime.date, type(None)))}


def notice_context(*, member, case, sender, recipient_name: str, action_date, notice_date, extra: dict) -> dict:
    """The values every template may use, plus the caller's own (``action``, ``reason``, ``rule`` for a NOA)."""
    phone = getattr(sender, "phone", "") or ""
    return {
        "member_name": member.full_name, "member_first_name": member.first_name, "member_cin": member.cin,
        "member_dob": member.date_of_birth, "member_address": member.mailing_address,
        "case_number": getattr(case, "case_number", "") or "", "program": case.get_program_display() if case else "",
        "sender_name": getattr(sender, "name", "") or "", "sender_phone": phone, "sender_address": getattr(sender, "address", "") or "",
        "recipient_name": recipient_name, "action_date": action_date, "notice_date": notice_date,
        "taglines": taglines_text(phone), "page_break": PAGE_BREAK,
        **(extra or {}),
    }


def notice_create(*, kind: str, member, case=None, recipient_kind: str, recipient_org=None, recipient_name: str = "",
                  channel: str, context: dict | None = None, action_date: datetime.date | None = None,
                  language: str | None = None, created_by, meets: tuple[str, ...] = (), occurrence: str = "",
                  data_categories: tuple[str, ...] | None = None, decided_at: datetime.datetime | None = None) -> Notice:
    """Render and save a draft notice. Nothing is sent until :func:`notice_send`.

    Raises RuleViolation (nothing written) for: unknown kind/recipient/channel, a NOA missing a required part
    (``field`` = the part, ``rule="noa.required_content"``), a NOA or advance notice dated less than 10 days
    before ``action_date`` (``field="action_date"``, ``rule="noa.ten_day_advance"``), a case of another member.
    ``decided_at`` is when the decision a CCS or plan NOA announces was made (the mailing clock starts there).
    """
    from carecoord.clocks.services import deadline_start
    from cases.timeline import timeline_record

    if kind not in NoticeKind.values:
        raise RuleViolation(_("Choose a kind of notice."), field="kind", rule="notice.kind")
    if recipient_kind not in RecipientKind.values:
        raise RuleViolation(_("Choose who receives the notice."), field="recipient_kind", rule="notice.recipient_kind")
    if channel not in Channel.values:
        raise RuleViolation(_("Choose how the notice is sent."), field="channel", rule="notice.channel")
    if case is not None and case.member_id != member.pk:
        raise RuleViolation(_("The case belongs to another member."), field="case", rule="notice.case_member")
    if recipient_kind not in FIRST_PARTY_RECIPIENTS and recipient_org is None and not recipient_name.strip():
        raise RuleViolation(_("Name the recipient or choose their organization."), field="recipient_org", rule="notice.recipient_required")
    now = _pacific_now()
    notice_date = now.date()
    _check_dates(kind=kind, action_date=action_date, notice_date=notice_date)

    requested_language = language or (member.preferred_language if recipient_kind in FIRST_PARTY_RECIPIENTS else "en")
    sender = _sender_for(case=case, created_by=created_by)
    recipient = _recipient_defaults(member=member, recipient_kind=recipient_kind, recipient_org=recipient_org,
                                    recipient_name=recipient_name, channel=channel, language=requested_language)
    values = notice_context(member=member, case=case, sender=sender, recipient_name=recipient["recipient_name"],
                            action_date=action_date, notice_date=notice_date, extra=context or {})
    rendered = render_notice(kind=kind, language=requested_language, context=values)
    clock_rule = _CLOCK_FOR_KIND.get(kind, "")

    with transaction.atomic():
        notice = Notice.objects.create(
            kind=kind, member=member, case=case, sender_org=sender, recipient_kind=recipient_kind, recipient_org=recipient_org,
            **recipient, language=rendered.language, requested_language=requested_language,
            language_fallback=rendered.fallback, template=rendered.template, template_version=rendered.template.version,
            subject=rendered.subject, body=rendered.body, context=_json_safe(context or {}), channel=channel,
            action_date=action_date, notice_date=notice_date, clock_rule=clock_rule, meets=list(meets), occurrence=occurrence,
            data_categories=list(data_categories or _DEFAULT_CATEGORIES.get(kind, ("general",))), created_by=created_by,
        )
        NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.CREATED, by=created_by,
                                   detail=f"{rendered.template} ({rendered.language}{', fallback' if rendered.fallback else ''})")
        if clock_rule:
            started = decided_at or timezone.now()
            deadline_start(rule_code=clock_rule, subject=notice, started_at=started, case=case, member=member,
                           target=action_date if clock_rule in _BEFORE_RULES else None, organization=sender)
        if case is not None:
            summary = _("Notice drafted: %(kind)s to %(recipient)s") % {"kind": notice.get_kind_display(), "recipient": notice.recipient_display}
            if rendered.fallback:
                summary += " " + _("(in English: no %(language)s template)") % {"language": requested_language}
            timeline_record(case=case, kind="notice.created", actor=created_by, summary=summary, data={"notice": notice.pk})
    return notice


# --------------------------------------------------------------------------- send


def _require_address(notice: Notice) -> None:
    if notice.channel == Channel.MAIL:
        if not notice.recipient_address.strip():
            raise RuleViolation(_("There is no mailing address for the recipient."), field="channel", rule="notice.no_address")
        if notice.recipient_kind in FIRST_PARTY_RECIPIENTS and not notice.member.address_valid:
            raise RuleViolation(_("Mail to this member's address came back; correct the address first."), field="channel",
                                rule="notice.address_invalid")
    elif notice.channel in (Channel.EMAIL, Channel.SECURE_EMAIL) and not notice.recipient_email:
        raise RuleViolation(_("There is no email address for the recipient."), field="channel", rule="notice.no_email")
    elif notice.channel == Channel.FAX and not notice.recipient_fax:
        raise RuleViolation(_("There is no fax number for the recipient."), field="channel", rule="notice.no_fax")


def notice_send(*, notice: Notice, by, kick: bool = True) -> Notice:
    """Queue a draft notice for delivery, once. Third-party recipients pass the disclosure check first.

    ``kick=False`` (bulk producers, e.g. a population transition's family notices) leaves the dispatch to
    the every-minute beat or to one kick the producer makes at the end.

    Raises RuleViolation: already queued or sent (``notice.already_sent``), no address for the channel,
    or the consents check refusing (``field="consent"``, its rule code). Nothing is written then.
    """
    from carecoord.clocks.services import outbox_enqueue
    from cases.timeline import timeline_record

    with transaction.atomic():
        notice = Notice.objects.select_for_update(of=("self",)).select_related("member", "case", "recipient_org").get(pk=notice.pk)
        if notice.status != Notice.Status.DRAFT:
            raise RuleViolation(_("This notice has already been sent."), field="__all__", rule="notice.already_sent")
        _require_address(notice)
        fields = ["status"]
        if notice.recipient_kind not in FIRST_PARTY_RECIPIENTS:
            from consents.services import disclose

            disclosure = disclose(
                member=notice.member, recipient=notice.recipient_org, recipient_name="" if notice.recipient_org_id else notice.recipient_name,
                purpose=_PURPOSE_FOR_KIND.get(notice.kind, "care_coordination"), categories=notice.data_categories,
                description=notice.get_kind_display(), disclosed_by=by, case=notice.case, channel=notice.channel,
            )
            notice.disclosure_id_ref = disclosure.pk
            fields.append("disclosure_id_ref")
            if disclosure.redisclosure_notice and disclosure.redisclosure_notice not in notice.body:
                # 42 CFR 2.32: Part 2 information travels with its prohibition on redisclosure.
                notice.body = f"{notice.body}\n\n{disclosure.redisclosure_notice}"
                fields.append("body")
        notice.status = Notice.Status.QUEUED
        notice.save(update_fields=fields)
        NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.QUEUED, by=by, detail=notice.get_channel_display())
        outbox_enqueue(key=f"notice:{notice.pk}:send", channel=OUTBOX_CHANNEL, payload={"notice": notice.pk, "by": getattr(by, "pk", None)},
                       kick=kick)
        if notice.case_id:
            timeline_record(case=notice.case, kind="notice.queued", actor=by,
                            summary=_("Notice queued: %(kind)s to %(recipient)s by %(channel)s") % {
                                "kind": notice.get_kind_display(), "recipient": notice.recipient_display,
                                "channel": notice.get_channel_display()},
                            data={"notice": notice.pk})
    return notice


def _meet_clocks(*, notice: Notice, at: datetime.datetime, by) -> None:
    from django.contrib.contenttypes.models import ContentType

    from carecoord.clocks.models import Deadline
    from carecoord.clocks.services import deadline_meet

    if notice.clock_rule:
        deadline_meet(rule_code=notice.clock_rule, subject=notice, met_at=at, by=by)
    if not notice.meets:
        return
    scope = {"case": notice.case} if notice.case_id else {"member": notice.member}
    live = Deadline.objects.filter(rule_code__in=notice.meets, status__in=Deadline.ACTIVE_STATUSES, **scope)
    if notice.occurrence:
        live = live.filter(occurrence=notice.occurrence)
    for rule_code, type_id, subject_id, occurrence in live.values_list("rule_code", "subject_type", "subject_id", "occurrence"):
        subject = ContentType.objects.get_for_id(type_id).get_object_for_this_type(pk=subject_id)
        deadline_meet(rule_code=rule_code, subject=subject, met_at=at, by=by, occurrence=occurrence)


def notice_mark_delivered(*, notice: Notice, by=None, detail: str = "", at: datetime.datetime | None = None) -> Notice:
    """The notice left us (email handed over, fax/phone/secure email logged, letter mailed). Once only.

    Meets the clocks, writes the timeline and sends ``notice_sent`` inside the transaction.
    """
    from cases.timeline import timeline_record

    at = at or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.events.filter(kind=NoticeEvent.Kind.SENT).exists():
            return notice
        notice.status = Notice.Status.SENT if notice.status in (Notice.Status.DRAFT, Notice.Status.QUEUED) else notice.status
        notice.sent_at = notice.sent_at or at
        notice.save(update_fields=["status", "sent_at"])
        NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.SENT, by=by, at=at, detail=detail[:500])
        _meet_clocks(notice=notice, at=at, by=by)
        start_filing_windows(notice=notice, at=at)
        if notice.case_id:
            timeline_record(case=notice.case, kind="notice.sent", actor=by,
                            summary=_("Notice sent: %(kind)s to %(recipient)s by %(channel)s") % {
                                "kind": notice.get_kind_display(), "recipient": notice.recipient_display,
                                "channel": notice.get_channel_display()},
                            data={"notice": notice.pk})
        notice_sent.send(sender=Notice, notice=notice)
    return notice


def notice_mark_mailed(*, notice: Notice, mailed_on: datetime.date, by) -> Notice:
    """Record the day the printed letter went into the mail; this delivers a mailed notice."""
    from cases.timeline import timeline_record

    today = timezone.localdate()
    if mailed_on is None or mailed_on > today:
        raise RuleViolation(_("The mailing date cannot be in the future."), field="mailed_on", rule="notice.mailed_on_future")
    if mailed_on < notice.notice_date:
        raise RuleViolation(_("The mailing date cannot be before the notice date."), field="mailed_on", rule="notice.mailed_before_dated")
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.status not in (Notice.Status.QUEUED, Notice.Status.SENT):
            raise RuleViolation(_("Only a queued or sent letter can be marked mailed."), field="__all__", rule="notice.mail_state")
        if notice.channel != Channel.MAIL:
            raise RuleViolation(_("This notice is not sent by mail."), field="__all__", rule="notice.not_mail")
        mailed_at = timezone.make_aware(datetime.datetime.combine(mailed_on, datetime.time(17, 0)))
        delivered_at = min(mailed_at, timezone.now())
        notice = notice_mark_delivered(notice=notice, by=by, detail=_("Mailed"), at=delivered_at)
        notice.status, notice.mailed_on = Notice.Status.MAILED, mailed_on
        notice.save(update_fields=["status", "mailed_on"])
        NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.MAILED, by=by, detail=mailed_on.isoformat())
        if notice.case_id:
            timeline_record(case=notice.case, kind="notice.mailed", actor=by,
                            summary=_("Letter mailed on %(day)s: %(kind)s") % {"day": mailed_on.isoformat(), "kind": notice.get_kind_display()},
                            data={"notice": notice.pk})
    return notice


def notice_mark_returned(*, notice: Notice, by, reason: str) -> Notice:
    """A letter came back undeliverable: record it and give the case manager a follow-up task."""
    from cases.models import Task
    from cases.timeline import timeline_record

    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Say why the letter came back."), field="reason", rule="notice.return_reason")
    with transaction.atomic():
        notice = Notice.objects.select_for_update(of=("self",)).select_related("case").get(pk=notice.pk)
        if notice.status not in (Notice.Status.MAILED, Notice.Status.SENT):
            raise RuleViolation(_("Only a mailed or sent notice can come back."), field="__all__", rule="notice.return_state")
        notice.status, notice.returned_at, notice.return_reason = Notice.Status.RETURNED, timezone.now(), reason[:300]
        notice.save(update_fields=["status", "returned_at", "return_reason"])
        NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.RETURNED, by=by, detail=reason[:500])
        if notice.case_id:
            owner = notice.case.primary_case_manager or by
            Task.objects.create(
                case=notice.case, owner=owner, source="notice_returned", due_date=timezone.localdate() + datetime.timedelta(days=5),
                title=(_("Returned letter: find a correct address for %(member)s and resend “%(kind)s” (%(reason)s)") % {
                    "member": notice.member.full_name, "kind": notice.get_kind_display(), "reason": reason})[:300],
            )
            timeline_record(case=notice.case, kind="notice.returned", actor=by,
                            summary=_("Letter returned undeliverable: %(kind)s (%(reason)s)") % {
                                "kind": notice.get_kind_display(), "reason": reason},
                            data={"notice": notice.pk})
    return notice


def notice_acknowledge(*, notice: Notice, by) -> Notice:
    """The receiving plan (or organization) confirms it received the notification."""
    from cases.timeline import timeline_record

    with transaction.atomic():
        notice = Notice.objects.select_for_update(of=("self",)).select_related("case").get(pk=notice.pk)
        if notice.recipient_org_id is None or getattr(by, "organization_id", None) != notice.recipient_org_id:
            raise RuleViolation(_("Only the receiving organization can acknowledge this notice."), field="__all__", rule="notice.ack_recipient")
        if notice.status == Notice.Status.ACKNOWLEDGED:
            return notice
        if notice.status not in (Notice.Status.SENT, Notice.Status.MAILED):
            raise RuleViolation(_("Only a sent notice can be acknowledged."), field="__all__", rule="notice.ack_state")
        notice.status, notice.acknowledged_at, notice.acknowledged_by = Notice.Status.ACKNOWLEDGED, timezone.now(), by
        notice.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.ACKNOWLEDGED, by=by)
        if notice.case_id:
            timeline_record(case=notice.case, kind="notice.acknowledged", actor=by,
                            summary=_("%(org)s acknowledged: %(kind)s") % {"org": notice.recipient_org, "kind": notice.get_kind_display()},
                            data={"notice": notice.pk})
    return notice


def notice_pdf(*, notice: Notice) -> bytes:
    """The letter as a printable PDF (letterhead, address block, body, signature, page numbers, taglines)."""
    from .pdf import render_pdf

    return render_pdf(notice)


# --------------------------------------------------------------------------- templates


_SAMPLE_CONTEXT = {
    "member_name": "Sample Member", "member_first_name": "Sample", "member_cin": "90000000A", "recipient_name": "Sample Recipient",
    "sender_name": "Sample County CCS", "sender_phone": "555-0100", "action": "sample action", "reason": "sample reason",
    "rule": "sample rule", "taglines": "sample taglines", "page_break": PAGE_BREAK,
}


def template_save_version(*, kind: str, language: str, subject: str, body: str, required_sections: list[str] | None = None,
                          by=None) -> NoticeTemplate:
    """Save new wording as the next version and make it the active one; earlier versions stay for sent notices.

    Refuses (RuleViolation, nothing written) wording that does not parse or, for a NOA, lacks a required part.
    """
    from .rendering import render_text

    if kind not in NoticeKind.values:
        raise RuleViolation(_("Choose a kind of notice."), field="kind", rule="notice.kind")
    if not subject.strip() or not body.strip():
        raise RuleViolation(_("A template needs a subject and a body."), field="body", rule="template.empty")
    draft = NoticeTemplate(kind=kind, language=language, subject=subject, body=body, required_sections=list(required_sections or []))
    render_text(template=draft, context=_SAMPLE_CONTEXT)
    with transaction.atomic():
        current = list(NoticeTemplate.objects.select_for_update().filter(kind=kind, language=language))
        draft.version = max((t.version for t in current), default=0) + 1
        NoticeTemplate.objects.filter(kind=kind, language=language, is_active=True).update(is_active=False)
        draft.is_active, draft.created_by = True, by
        draft.save()
    return draft
