"""Writes of referrals: create inbound and outbound referrals, move them around the loop.

Every step goes through :func:`referral_transition`, which checks the move is
allowed, writes the new status with a :class:`~referrals.models.ReferralEvent`
(who and when) and a line on the case timeline, in one transaction. Program
engineers extend the loop by calling these services (e.g. a DMC-ODS MAT
referral meets its 24-hour clock after :func:`referral_send`), never by saving
a referral themselves.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from carecoord.accounts.models import User
from carecoord.errors import RuleViolation
from directory.selectors import provider_fit_warnings
from cases.models import Case, Member
from cases.services import validate_model
from cases.timeline import timeline_record

from .models import Referral, ReferralEvent

S = Referral.Status

# The closed loop: which status may follow which. Declined, closed and revoked end it.
REFERRAL_MOVES: dict[str, set[str]] = {
    S.DRAFT: {S.CONSENT_CHECKED, S.SENT, S.CLOSED, S.REVOKED},
    S.CONSENT_CHECKED: {S.SENT, S.CLOSED, S.REVOKED},
    S.SENT: {S.RECEIVED, S.SCHEDULED, S.DECLINED, S.CLOSED, S.REVOKED},
    S.RECEIVED: {S.SCHEDULED, S.DECLINED, S.CLOSED, S.REVOKED},
    S.SCHEDULED: {S.ATTENDED, S.NO_SHOW, S.DECLINED, S.CLOSED, S.REVOKED},
    S.NO_SHOW: {S.SCHEDULED, S.CLOSED, S.REVOKED},
    S.ATTENDED: {S.CLOSED},
    S.CLOSED: set(),
    S.DECLINED: set(),
    S.REVOKED: set(),
}

# Statuses that count as "pending" for duplicate detection of inbound referrals.
PENDING_INBOUND = (S.RECEIVED, S.SCHEDULED, S.SENT, S.CONSENT_CHECKED, S.DRAFT, S.NO_SHOW)


def _event(*, referral: Referral, action: str, actor, at: datetime.datetime, from_status: str = "",
           outcome: str = "", note: str = "", data: dict | None = None) -> ReferralEvent:
    return ReferralEvent.objects.create(referral=referral, action=action, from_status=from_status,
                                        to_status=referral.status, outcome=outcome, at=at, by=actor, note=note,
                                        data=data or {})


def _timeline(referral: Referral, *, kind: str, summary: str, actor, at) -> None:
    if referral.case_id:
        timeline_record(case=referral.case, kind=kind, summary=summary, actor=actor, at=at,
                        data={"referral": referral.pk})


def referral_duplicates(*, member: Member, program: str, exclude_pk: int | None = None) -> tuple[Case | None, Referral | None]:
    """The member's active case in ``program`` and its pending inbound referral, if any."""
    active_case = Case.objects.filter(member=member, program=program).exclude(status=Case.Status.CLOSED).first()
    pending = Referral.objects.filter(member=member, program=program, direction=Referral.Direction.INBOUND,
                                      status__in=PENDING_INBOUND)
    if exclude_pk:
        pending = pending.exclude(pk=exclude_pk)
    return active_case, pending.order_by("-referred_at").first()


def referral_create_inbound(*, member: Member, program: str, organization, source: str, actor=None,
                            referred_at: datetime.datetime | None = None, case: Case | None = None,
                            source_organization=None, reporter_name: str = "", reporter_relationship: str = "",
                            reporter_phone: str = "", reporter_email: str = "", suspected_condition: str = "",
                            reason: str = "", urgency: str = Referral.Urgency.ROUTINE,
                            external_reference: str = "") -> Referral:
    """Record a referral into ``program`` (status *received*).

    A member who already has an active case or a pending referral in the program
    is flagged ``possible_duplicate`` with a note saying which, so the intake
    worker sees it; the referral is still recorded (a second source is information).
    """
    referred_at = referred_at or timezone.now()
    if timezone.is_naive(referred_at):
        raise RuleViolation("The referral date needs a time zone.", field="referred_at", rule="referral.aware_datetime")
    if referred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise RuleViolation("The referral date cannot be in the future.", field="referred_at", rule="referral.future_date")
    if source not in Referral.Source.values:
        raise RuleViolation("Choose where the referral came from.", field="source", rule="referral.source")
    with transaction.atomic():
        active_case, pending = referral_duplicates(member=member, program=program)
        referral = Referral(
            direction=Referral.Direction.INBOUND, member=member, program=program, organization=organization,
            case=case, source=source, source_organization=source_organization, reporter_name=reporter_name,
            reporter_relationship=reporter_relationship, reporter_phone=reporter_phone, reporter_email=reporter_email,
            suspected_condition=suspected_condition, reason=reason, urgency=urgency, referred_at=referred_at,
            status=S.RECEIVED, status_changed_at=referred_at, external_reference=external_reference, created_by=actor,
        )
        notes = []
        if pending is not None:
            notes.append(f"a pending referral (#{pending.pk}, received {timezone.localtime(pending.referred_at):%Y-%m-%d})")
            referral.duplicate_of = pending
        if active_case is not None:
            notes.append(f"an {active_case.get_status_display().lower()} {active_case.get_program_display()} case"
                         + (f" ({active_case.case_number})" if active_case.case_number else ""))
        if notes:
            referral.possible_duplicate = True
            referral.duplicate_note = ("Member already has " + " and ".join(notes) + ".")[:300]
        validate_model(referral)
        referral.save()
        _event(referral=referral, action="received", actor=actor, at=referred_at,
               note=f"Referred by {referral.get_source_display()}" + (f" ({reporter_name})" if reporter_name else ""))
        if referral.possible_duplicate:
            _event(referral=referral, action="duplicate_flagged", actor=actor, at=timezone.now(), note=referral.duplicate_note)
        _timeline(referral, kind="referral.received", actor=actor, at=referred_at,
                  summary=f"Referral received from {referral.get_source_display()}"
                  + (f": {suspected_condition}" if suspected_condition else "")
                  + (" — possible duplicate" if referral.possible_duplicate else ""))
    return referral


def referral_link_case(*, referral: Referral, case: Case, actor=None) -> Referral:
    """Attach an inbound referral to the case created for it (intake creates the case after the referral,
    so that duplicate detection sees only what existed before)."""
    if case.member_id != referral.member_id:
        raise RuleViolation("The case belongs to another member.", field="case", rule="referral.case_member")
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(case=case)
        referral.case = case
        _timeline(referral, kind="referral.received", actor=actor, at=referral.referred_at,
                  summary=f"Referral received from {referral.get_source_display()}"
                  + (f": {referral.suspected_condition}" if referral.suspected_condition else ""))
    return referral


def referral_create_outbound(*, case: Case, service_type: str, actor=None, recipient_organization=None,
                             recipient_contact: str = "", reason: str = "", urgency: str = Referral.Urgency.ROUTINE,
                             warm_handoff: bool = False, referred_at: datetime.datetime | None = None) -> Referral:
    """Start a referral from ``case`` to a service (status *draft*, until consent is checked and it is sent)."""
    if service_type not in Referral.ServiceType.values or service_type == Referral.ServiceType.PROGRAM_ENROLLMENT:
        raise RuleViolation("Choose the service the member is referred to.", field="service_type", rule="referral.service_type")
    if recipient_organization is None and not recipient_contact.strip():
        raise RuleViolation("Name the organization or person the referral goes to.", field="recipient_organization",
                            rule="referral.recipient_required")
    at = referred_at or timezone.now()
    with transaction.atomic():
        referral = Referral(direction=Referral.Direction.OUTBOUND, member=case.member, case=case, program=case.program,
                            organization=case.organization, service_type=service_type,
                            recipient_organization=recipient_organization, recipient_contact=recipient_contact,
                            reason=reason, urgency=urgency, warm_handoff=warm_handoff, referred_at=at,
                            status=S.DRAFT, status_changed_at=at, created_by=actor)
        validate_model(referral)
        referral.save()
        # A poor fit (not paneled, out of the member's plan, not accepting) warns but does not block.
        warnings = provider_fit_warnings(recipient_organization, member=case.member, program=case.program)
        _event(referral=referral, action="created", actor=actor, at=at, note=reason[:500], data={"warnings": warnings})
        _timeline(referral, kind="referral.created", actor=actor, at=at,
                  summary=f"Referral to {referral.get_service_type_display()}"
                  + (f" ({recipient_organization})" if recipient_organization else "") + " started"
                  + (f" — {' '.join(warnings)}" if warnings else ""))
    return referral


def referral_transition(*, referral: Referral, to_status: str, actor=None, at: datetime.datetime | None = None,
                        note: str = "", outcome: str = "", data: dict | None = None) -> Referral:
    """Move ``referral`` one step around the loop, recording who and when."""
    at = at or timezone.now()
    if to_status not in S.values:
        raise RuleViolation(f"Unknown referral status {to_status!r}.", field="status", rule="referral.status")
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).select_related("case", "member").get(pk=referral.pk)
        if to_status not in REFERRAL_MOVES[referral.status]:
            raise RuleViolation(
                f"A referral that is {referral.get_status_display().lower()} cannot become {S(to_status).label.lower()}.",
                field="status", rule="referral.status_move",
            )
        if at < referral.referred_at:
            raise RuleViolation("This step is dated before the referral was made.", field="at", rule="referral.step_before_referral")
        if to_status == S.REVOKED:
            if actor is None or (actor.role not in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR) and not actor.is_superuser):
                raise RuleViolation("Only a manager can revoke a referral sent in error.", field="status", rule="referral.revoke_manager")
            if not note.strip():
                raise RuleViolation("Say why the referral is revoked.", field="note", rule="referral.revoke_reason")
            outcome = outcome or Referral.Outcome.SENT_IN_ERROR
        if to_status == S.DECLINED:
            outcome = outcome or Referral.Outcome.DECLINED
        if to_status == S.CLOSED and not outcome:
            raise RuleViolation("Record the outcome of the referral.", field="outcome", rule="referral.outcome_required")
        if outcome and outcome not in Referral.Outcome.values:
            raise RuleViolation(f"Unknown outcome {outcome!r}.", field="outcome", rule="referral.outcome")
        from_status = referral.status
        referral.status, referral.status_changed_at = to_status, at
        fields = ["status", "status_changed_at"]
        if to_status in Referral.TERMINAL:
            referral.outcome, referral.outcome_note, referral.closed_at = outcome, note, at
            fields += ["outcome", "outcome_note", "closed_at"]
        referral.save(update_fields=fields)
        _event(referral=referral, action=to_status, actor=actor, at=at, from_status=from_status, outcome=outcome,
               note=note, data=data)
        label = referral.get_service_type_display() if referral.direction == Referral.Direction.OUTBOUND else "Referral"
        _timeline(referral, kind=f"referral.{to_status}", actor=actor, at=at,
                  summary=f"{label}: {S(to_status).label.lower()}"
                  + (f" ({Referral.Outcome(outcome).label.lower()})" if outcome else "") + (f" — {note}" if note else ""))
    return referral


def referral_check_consent(*, referral: Referral, actor=None, at=None, note: str = "", consent_reference: str = "") -> Referral:
    """Record that a consent covering this disclosure was checked before sending."""
    return referral_transition(referral=referral, to_status=S.CONSENT_CHECKED, actor=actor, at=at, note=note,
                               data={"consent": consent_reference} if consent_reference else None)


def referral_send(*, referral: Referral, actor=None, at=None, note: str = "") -> Referral:
    return referral_transition(referral=referral, to_status=S.SENT, actor=actor, at=at, note=note)


def referral_schedule(*, referral: Referral, appointment_at: datetime.datetime, actor=None, at=None, note: str = "") -> Referral:
    with transaction.atomic():
        referral = referral_transition(referral=referral, to_status=S.SCHEDULED, actor=actor, at=at, note=note,
                                       data={"appointment_at": appointment_at.isoformat()})
        Referral.objects.filter(pk=referral.pk).update(appointment_at=appointment_at)
        referral.appointment_at = appointment_at
    return referral


def referral_close(*, referral: Referral, outcome: str, actor=None, at=None, note: str = "") -> Referral:
    return referral_transition(referral=referral, to_status=S.CLOSED, actor=actor, at=at, note=note, outcome=outcome)


def referral_revoke(*, referral: Referral, actor, reason: str, at=None) -> Referral:
    """A manager withdraws a referral sent in error."""
    return referral_transition(referral=referral, to_status=S.REVOKED, actor=actor, at=at, note=reason)


def referral_note(*, referral: Referral, action: str, actor=None, at=None, note: str = "", data: dict | None = None) -> ReferralEvent:
    """Record a step that does not move the status (documents attached, documentation complete...)."""
    return _event(referral=referral, action=action, actor=actor, at=at or timezone.now(), from_status=referral.status,
                  note=note, data=data)


def referral_attach_documents(*, referral: Referral, documents, actor=None) -> None:
    documents = list(documents)
    if not documents:
        return
    with transaction.atomic():
        referral.documents.add(*documents)
        referral_note(referral=referral, action="documents_attached", actor=actor,
                      note=", ".join(d.title for d in documents)[:500], data={"documents": [d.pk for d in documents]})
