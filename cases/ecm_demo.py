"""Demo ECM pathways for child-welfare-involved youth (idempotent): a social worker in the county's CWS
agency; a newly removed youth ready for plan selection; a youth enrolled in ECM under presumptive
authorization with the assessment clock running; and a youth placed in another county mid-way through
the move's steps."""
from __future__ import annotations

import datetime

from django.utils import timezone

from carecoord.accounts.models import County, Organization, User

from . import ecm_services as ecm
from .ecm_models import EcmPathway
from .models import CareTeamMember, Case, ChildWelfareEpisode


def _ago(days: float = 0, hours: float = 0) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def _social_worker(ctx) -> User:
    from carecoord.demo import _user

    user = _user(ctx, "sw", User.Role.CASE_MANAGER, ctx.orgs["cws_sac"], "Jordan", "Lee", "CWS social worker",
                 sees="ECM cases where they are the social worker on the care team")
    ctx.users["sw"] = user
    return user


def _youth_in_care(case: Case, *, days_in_care: int) -> None:
    member = case.member
    if not member.child_welfare_episodes.exists():
        ChildWelfareEpisode.objects.create(member=member, kind=ChildWelfareEpisode.Kind.FOSTER_CARE,
                                           start_date=timezone.localdate() - datetime.timedelta(days=days_in_care))


def _sw_on_team(case: Case, sw: User) -> None:
    if not case.care_team.filter(role=CareTeamMember.Role.SOCIAL_WORKER, user=sw).exists():
        case.care_team.filter(role=CareTeamMember.Role.SOCIAL_WORKER, user__isnull=True).update(end_date=timezone.localdate())
        CareTeamMember.objects.create(case=case, role=CareTeamMember.Role.SOCIAL_WORKER, user=sw, organization=sw.organization)


def _consents(ctx, case: Case, provider: Organization) -> None:
    from consents.models import Consent
    from consents.services import consent_record

    member, ecm_user = case.member, ctx.users["ecm"]
    # Dated from the moment they were obtained, not from "today": a few hours after local midnight they
    # fall on yesterday, and a consent effective only from today would not cover the morning's steps.
    obtained_at = _ago(hours=5)
    obtained_on = timezone.localdate(obtained_at)
    if not Consent.objects.filter(member=member, kind="ecm_verbal").exists():
        consent_record(member=member, case=case, kind="ecm_verbal", recorded_by=ecm_user, purposes=["referral"],
                       data_categories=["general"], recipients=[provider], effective_on=obtained_on,
                       expiry_event="ECM referral completed", verbal_provider_and_service=f"{provider.name}: a care manager "
                       "who helps the family with doctors, dentists, therapy and benefits", verbal_information_shared=True,
                       verbal_duration=True, verbal_right_to_withdraw=True, given_by_name="Youth and resource parent",
                       obtained_by=ecm_user, obtained_at=obtained_at)
    # Checked in Python: JSON containment lookups are PostgreSQL-only and the demo also runs on SQLite.
    hipaa = Consent.objects.filter(member=member, kind="hipaa_authorization").values_list("recipient_categories", flat=True)
    if not any("care_team" in categories for categories in hipaa):
        consent_record(member=member, case=case, kind="hipaa_authorization", recorded_by=ecm_user,
                       purposes=["care_coordination", "transition"], data_categories=["general"],
                       recipient_categories=["care_team"], effective_on=obtained_on,
                       expires_on=obtained_on + datetime.timedelta(days=365),
                       description_of_information="ECM assessments, care plans and progress updates",
                       discloser=provider.name, signed_by_name="Resource parent (MC 382 authorized representative)",
                       signed_on=obtained_on, statement_right_to_revoke=True,
                       statement_treatment_not_conditioned=True, statement_redisclosure=True)


def _newly_removed(ctx, case: Case, sw: User) -> None:
    """Removed yesterday: the SW starts from the Medi-Cal check."""
    _youth_in_care(case, days_in_care=1)
    _sw_on_team(case, sw)
    ecm.ecm_pathway_start(case=case, kind=EcmPathway.Kind.REMOVAL, removed_at=_ago(days=1), actor=sw)


def _enrolled(ctx, case: Case, sw: User) -> None:
    """Plan chosen, NOA drafted, referred with verbal consent, enrolled presumptively: assessment due."""
    ecm_user, provider = ctx.users["ecm"], ctx.orgs["ecm_bridges"]
    _youth_in_care(case, days_in_care=12)
    _sw_on_team(case, sw)
    ecm.ecm_pathway_start(case=case, kind=EcmPathway.Kind.REMOVAL, removed_at=_ago(days=12), actor=sw)
    county = case.member.county
    plan = county.plans.first()
    if county.plan_model == County.PlanModel.SINGLE_PLAN or plan is None:
        ecm.plan_selection_record(case=case, meds_status="enrolled", choice="ffs", participants=["ew", "sw"], actor=sw)
    else:
        ecm.plan_selection_record(case=case, meds_status="enrolled", choice="mcp", plan=plan, actor=sw,
                                  activation_date=timezone.localdate() + datetime.timedelta(days=14),
                                  participants=["ew", "sw", "phn", "resource_family", "birth_parent", "youth"],
                                  notes="Plan's network includes the youth's current pediatrician.")
    _consents(ctx, case, provider)
    enrollment = ecm.ecm_referral_make(case=case, referrer="sw", recipient=provider, actor=sw,
                                       reason="Newly placed; dental and therapy needs; resource family asks for help with appointments.")
    ecm.ecm_outreach_record(enrollment=enrollment, at=_ago(hours=3), method="phone", outcome="reached_agreed", actor=ecm_user)
    ecm.ecm_prior_services_check(enrollment=enrollment, prior_ecm=False, prior_community_supports=False, actor=ecm_user)
    if case.ecm_plan_selections.filter(plan__isnull=False).exists():
        ecm.ecm_authorization_start(enrollment=enrollment, presumptive=True, actor=ecm_user, at=_ago(hours=2))
        ecm.cft_meeting_schedule(case=case, scheduled_for=timezone.now() + datetime.timedelta(days=6),
                                 participants=["sw", "phn", "ecm_provider", "youth", "resource_family", "birth_parent"],
                                 cans_status="initiated", actor=sw)


def _moved(ctx, case: Case, sw: User) -> None:
    """Placed in another county this morning: the MEDS address and plan of enrollment are next."""
    _youth_in_care(case, days_in_care=200)
    _sw_on_team(case, sw)
    ecm.ecm_pathway_start(case=case, kind=EcmPathway.Kind.EXISTING, actor=sw)
    target = ctx.counties.get("San Mateo") or County.objects.exclude(pk=case.member.county_id).first()
    if target is not None and target.pk != case.member.county_id:
        ecm.placement_move_record(case=case, to_county=target, moved_at=_ago(hours=4), actor=sw,
                                  notes="Kinship placement with an aunt; the youth wants to keep the current therapist.")


def load(ctx) -> None:
    if "cws_sac" not in ctx.orgs or "ecm_bridges" not in ctx.orgs:
        return
    sw = _social_worker(ctx)
    live = [c for c in ctx.cases.get("ecm", []) if c.status != Case.Status.CLOSED and c.member.age_on(timezone.localdate()) < 21]
    for case, build in zip(live, (_newly_removed, _enrolled, _moved)):
        case.refresh_from_db()
        if not EcmPathway.objects.filter(case=case).exists():
            build(ctx, case, sw)
