"""Demo consents: a Part 2 consent naming New Dawn Residential Treatment for a DMC-ODS member
(with the referral packet sent under it), a coordinated care consent expiring soon, a revoked
Part 2 consent, HIPAA authorizations from CCS parents to the plan and the primary care provider,
and ECM verbal referral consents. Idempotent: a member who already has a consent of the kind is skipped.
"""
from __future__ import annotations

import datetime

from django.utils import timezone

from .models import Consent, ConsentKind, Disclosure
from .services import consent_record, consent_revoke, disclose

WRITTEN = dict(statement_right_to_revoke=True, statement_treatment_not_conditioned=True, statement_redisclosure=True)


def _first_time(member, kind) -> bool:
    return not Consent.objects.filter(member=member, kind=kind).exists()


def _plan_of(member):
    coverage = member.coverages.filter(end_date__isnull=True).select_related("plan").first()
    return coverage.plan if coverage else None


def _live(ctx, program: str) -> list:
    """The program's demo cases that are not closed, read fresh and in a stable order (so reruns pick the same)."""
    from cases.models import Case

    ids = [c.pk for c in ctx.cases.get(program, [])]
    return list(Case.objects.filter(pk__in=ids).exclude(status=Case.Status.CLOSED).select_related("member__county").order_by("pk"))


def load(ctx) -> None:
    today = timezone.localdate()
    dmc_cases = _live(ctx, "dmc_ods")
    ccs_cases = [c for c in _live(ctx, "ccs") if c.member.county.name == "Sacramento"]
    ecm_cases = _live(ctx, "ecm")
    dmc, ecm, nurse = ctx.users["dmc"], ctx.users["ecm"], ctx.users["nurse"]

    if dmc_cases and _first_time(dmc_cases[0].member, ConsentKind.PART2):
        case = dmc_cases[0]
        consent_record(
            member=case.member, case=case, kind=ConsentKind.PART2, recorded_by=dmc,
            recipients=[ctx.orgs["residential"]], purposes=["referral", "transition", "care_coordination"],
            data_categories=["sud", "general", "mental_health"],
            description_of_information="ASAM assessment, diagnoses, risk assessment, recent service notes, Transition of Care Tool",
            discloser="Sacramento County DMC-ODS", signed_by_name=case.member.full_name,
            signed_on=today - datetime.timedelta(days=12), effective_on=today - datetime.timedelta(days=12),
            expires_on=today + datetime.timedelta(days=353), expiry_event="Discharge from residential treatment", **WRITTEN,
        )
        if not Disclosure.objects.filter(member=case.member).exists():
            disclose(member=case.member, recipient=ctx.orgs["residential"], purpose="referral",
                     categories=["sud", "general"], description="Referral packet: ASAM assessment, diagnosis, recent service notes",
                     disclosed_by=dmc, case=case, channel="secure_email")

    if len(dmc_cases) > 1 and _first_time(dmc_cases[1].member, ConsentKind.COORDINATED_CARE):
        case = dmc_cases[1]
        consent_record(
            member=case.member, case=case, kind=ConsentKind.COORDINATED_CARE, recorded_by=dmc, tpo_generic=True,
            recipient_categories=["treating_providers", "member_plan", "primary_care"],
            purposes=["treatment", "care_coordination", "payment"], data_categories=["sud", "general"],
            description_of_information="SUD treatment records needed to coordinate care across levels of care",
            discloser="Sacramento County DMC-ODS providers", signed_by_name=case.member.full_name,
            signed_on=today - datetime.timedelta(days=345), effective_on=today - datetime.timedelta(days=345),
            expires_on=today + datetime.timedelta(days=20), **WRITTEN,
        )

    if len(dmc_cases) > 2 and _first_time(dmc_cases[2].member, ConsentKind.PART2):
        case = dmc_cases[2]
        consent = consent_record(
            member=case.member, case=case, kind=ConsentKind.PART2, recorded_by=dmc, recipients=[ctx.orgs["outpatient"]],
            purposes=["referral", "care_coordination"], data_categories=["sud", "general"],
            description_of_information="Assessment and treatment plan", discloser="Sacramento County DMC-ODS",
            signed_by_name=case.member.full_name, signed_on=today - datetime.timedelta(days=60),
            effective_on=today - datetime.timedelta(days=60), expires_on=today + datetime.timedelta(days=305), **WRITTEN,
        )
        consent_revoke(consent=consent, revoked_by=dmc, in_writing=True, note="Signed revocation letter received at intake desk",
                       at=timezone.now() - datetime.timedelta(days=3))

    for n, case in enumerate(ccs_cases[:4]):
        member = case.member
        plan = _plan_of(member)
        if plan is None or not _first_time(member, ConsentKind.HIPAA_AUTHORIZATION):
            continue
        effective = today - datetime.timedelta(days=340 if n == 3 else 30 + n)
        consent_record(
            member=member, case=case, kind=ConsentKind.HIPAA_AUTHORIZATION, recorded_by=nurse,
            recipients=[plan, ctx.orgs["pcp"]], purposes=["care_coordination", "treatment", "referral"],
            data_categories=["general", "mental_health"],
            description_of_information="CCS medical reports, care plan, therapy and mental health notes",
            discloser="Sacramento County CCS", signed_by_name=f"Parent of {member.first_name}",
            signed_by_representative=True, representative_authority="Parent of a minor",
            signed_on=effective, effective_on=effective, expires_on=effective + datetime.timedelta(days=365), **WRITTEN,
        )

    for case in ecm_cases[:5]:
        member = case.member
        if not _first_time(member, ConsentKind.ECM_VERBAL):
            continue
        consent_record(
            member=member, case=case, kind=ConsentKind.ECM_VERBAL, recorded_by=ecm, recipients=[ctx.orgs["ecm_bridges"]],
            purposes=["referral", "care_coordination"], data_categories=["general"],
            verbal_provider_and_service="Bridges ECM Services: a care manager who coordinates health and social services",
            verbal_information_shared=True, verbal_duration=True, verbal_right_to_withdraw=True,
            given_by_name=f"Guardian of {member.first_name}", obtained_by=ecm,
            obtained_at=timezone.now() - datetime.timedelta(days=20), effective_on=today - datetime.timedelta(days=20),
            expiry_event="ECM enrollment ends",
        )
