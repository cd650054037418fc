"""Demo notices: a Spanish plan-choice Notice of Action mailed on an ECM case (its clock met), a residential
admission notification to the member's plan awaiting the plan's acknowledgement (or, when no Part 2 consent lets
SUD information go to a plan, an eligibility outcome to the plan), and a draft CCS NOA to preview.
Idempotent: a member who already has a notice of the kind is skipped.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from carecoord.clocks.models import OutboxMessage
from carecoord.clocks.outbox import handler_for

from .models import Notice
from .services import notice_create, notice_mark_mailed, notice_send


def _live(ctx, program: str) -> list:
    from cases.models import Case

    ids = [c.pk for c in ctx.cases.get(program, [])]
    return list(Case.objects.filter(pk__in=ids).exclude(status=Case.Status.CLOSED)
                .select_related("member", "organization").order_by("pk"))


def _plan_of(member):
    coverage = member.coverages.filter(end_date__isnull=True).select_related("plan").first()
    return coverage.plan if coverage and coverage.plan_id else None


def _deliver_now(notice: Notice) -> Notice:
    """Deliver through the outbox handler now, as the worker would (the dispatcher later finds it done)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(key=f"notice:{notice.pk}:send")
        handler_for(message.channel)(message)
        if message.status == OutboxMessage.Status.PENDING:
            message.status, message.sent_at = OutboxMessage.Status.SENT, timezone.now()
            message.save(update_fields=["status", "sent_at"])
    return Notice.objects.get(pk=notice.pk)


def _spanish_noa(ctx, today) -> None:
    cases = _live(ctx, "ecm")
    case = next((c for c in cases if c.member.preferred_language == "es" and c.member.address_valid), None) or (cases[0] if cases else None)
    if case is None or Notice.objects.filter(member=case.member, kind="noa_plan_choice").exists():
        return
    plan = _plan_of(case.member)
    plan_name = plan.name if plan else "Valley Health Plan"
    notice = notice_create(
        kind="noa_plan_choice", member=case.member, case=case, recipient_kind="family", channel="mail", language="es",
        action_date=today + datetime.timedelta(days=14), created_by=ctx.users["ecm"],
        context={
            "plan_name": plan_name,
            "action": f"A partir de la fecha indicada, {case.member.first_name} recibirá sus servicios de Medi-Cal por medio de {plan_name}.",
            "reason": "Su hijo/a entró en cuidado de crianza temporal y su condado asigna un plan de salud de Medi-Cal a los niños y jóvenes bajo cuidado.",
            "rule": "el Código de Bienestar e Instituciones de California, sección 14182(b)(6), y el título 42 del Código de Regulaciones Federales, sección 438.54",
        },
    )
    notice_send(notice=notice, by=ctx.users["ecm"])
    notice = _deliver_now(notice)
    notice_mark_mailed(notice=notice, mailed_on=today, by=ctx.users["ecm"])


def _plan_notification(ctx, today) -> None:
    from consents.services import disclosure_check

    demo_cases = _live(ctx, "dmc_ods") + _live(ctx, "ccs")
    if Notice.objects.filter(case__in=demo_cases, kind__in=["residential_admission", "eligibility_outcome_to_plan"]).exists():
        return
    for case in _live(ctx, "dmc_ods"):
        plan = _plan_of(case.member)
        if plan is None:
            continue
        if not disclosure_check(member=case.member, recipient=plan, purpose="care_coordination", categories=["sud"]).allowed:
            continue
        if not plan.secure_email:
            continue
        notice = notice_create(
            kind="residential_admission", member=case.member, case=case, recipient_kind="plan", recipient_org=plan,
            channel="secure_email", created_by=ctx.users["dmc"],
            context={"facility_name": "New Dawn Residential Treatment", "event_date": today - datetime.timedelta(days=1), "asam_level": "3.5"},
        )
        notice_send(notice=notice, by=ctx.users["dmc"])
        _deliver_now(notice)
        return
    # No Part 2 consent lets SUD information go to a plan: show the acknowledgement with general information instead.
    for case in _live(ctx, "ccs"):
        plan = _plan_of(case.member)
        if plan is None or plan.name != "Valley Health Plan":
            continue
        notice = notice_create(
            kind="eligibility_outcome_to_plan", member=case.member, case=case, recipient_kind="plan", recipient_org=plan,
            channel="fax" if plan.fax else "phone", created_by=ctx.users["nurse"],
            context={"outcome": "CCS medically eligible", "effective_date": today},
        )
        notice_send(notice=notice, by=ctx.users["nurse"])
        _deliver_now(notice)
        return


def _draft_ccs_noa(ctx, today) -> None:
    cases = [c for c in _live(ctx, "ccs") if c.member.address_valid]
    if not cases or Notice.objects.filter(member=cases[-1].member, kind="ccs_noa").exists():
        return
    case = cases[-1]
    notice_create(
        kind="ccs_noa", member=case.member, case=case, recipient_kind="family", channel="mail", created_by=ctx.users["nurse"],
        action_date=today + datetime.timedelta(days=12), decided_at=timezone.now() - datetime.timedelta(days=1),
        context={
            "service": "Physical therapy, two visits a week",
            "action": "Physical therapy is reduced from two visits a week to one visit a week.",
            "reason": "The latest therapy report shows the treatment goals for the second weekly visit were met.",
            "rule": "California Code of Regulations, title 22, section 41515.1 (medically necessary benefits)",
        },
    )


def load(ctx) -> None:
    today = timezone.localdate()
    _spanish_noa(ctx, today)
    _plan_notification(ctx, today)
    _draft_ccs_noa(ctx, today)
