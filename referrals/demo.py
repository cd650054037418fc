"""Demo outbound referrals around the CCS children of ``cases.demo``: one at each point of the closed loop.

Idempotent: a referral is keyed by its case and service.
"""
from __future__ import annotations

import datetime

from django.utils import timezone

from cases.models import Case

from .models import Referral
from .services import (
    referral_check_consent, referral_close, referral_create_outbound, referral_revoke, referral_schedule, referral_send,
    referral_transition,
)


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def load(ctx) -> None:
    case = Case.objects.filter(member__cin="92000004D", program="ccs").first()
    if case is None:
        return
    nurse, supervisor = ctx.users["nurse"], ctx.users["supervisor"]

    def first_time(service_type: str) -> bool:
        return not Referral.objects.filter(case=case, direction=Referral.Direction.OUTBOUND, service_type=service_type).exists()

    if first_time(Referral.ServiceType.MENTAL_HEALTH):  # scheduled, with a warm hand-off
        referral = referral_create_outbound(case=case, service_type="mental_health", recipient_organization=ctx.orgs["mhp_sac"],
                                            reason="Anxiety about hospital stays; family asked for counseling", actor=nurse,
                                            warm_handoff=True, referred_at=_ago(12))
        referral_check_consent(referral=referral, actor=nurse, at=_ago(12), note="Parent's release on file")
        referral_send(referral=referral, actor=nurse, at=_ago(11))
        referral_transition(referral=referral, to_status="received", actor=nurse, at=_ago(10), note="Intake coordinator confirmed")
        referral_schedule(referral=referral, appointment_at=timezone.now() + datetime.timedelta(days=5), actor=nurse, at=_ago(9))
    if first_time(Referral.ServiceType.DENTAL):  # closed: got help
        referral = referral_create_outbound(case=case, service_type="dental", recipient_contact="Smile Kids Dental (Medi-Cal dental)",
                                            reason="Needs a dental home before the CF clinic's antibiotic course", actor=nurse,
                                            referred_at=_ago(40))
        referral_send(referral=referral, actor=nurse, at=_ago(40))
        referral_transition(referral=referral, to_status="scheduled", actor=nurse, at=_ago(35))
        referral_transition(referral=referral, to_status="attended", actor=nurse, at=_ago(20))
        referral_close(referral=referral, outcome="got_help", actor=nurse, at=_ago(19), note="Cleaning done; six-month recall set")
    if first_time(Referral.ServiceType.PALLIATIVE_CARE):  # sent in error, revoked by the supervisor
        referral = referral_create_outbound(case=case, service_type="palliative_care", recipient_contact="Sunrise Pediatric Palliative",
                                            reason="Entered for the wrong child", actor=nurse, referred_at=_ago(3))
        referral_send(referral=referral, actor=nurse, at=_ago(3))
        referral_revoke(referral=referral, actor=supervisor, at=_ago(2.9), reason="Sent for the wrong child; family not informed")
    if first_time(Referral.ServiceType.COMMUNITY_SUPPORTS):  # could not contact
        referral = referral_create_outbound(case=case, service_type="community_supports", recipient_contact="Family Resource Center",
                                            reason="Parent-to-parent support", actor=nurse, referred_at=_ago(30))
        referral_send(referral=referral, actor=nurse, at=_ago(30))
        referral_close(referral=referral, outcome="could_not_contact", actor=nurse, at=_ago(10),
                       note="Three calls and a letter, no answer from the center")
