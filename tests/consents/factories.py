"""Complete consent records of each kind, built through ``consent_record`` so they pass its checks.

``consent_kwargs(kind, ...)`` returns every element the kind requires; tests remove one to see it refused.
"""
import datetime

from django.utils import timezone

from consents.models import ConsentKind
from consents.services import consent_record


def consent_kwargs(kind: str, *, member, recorded_by, **overrides) -> dict:
    today = timezone.localdate()
    base = dict(member=member, kind=kind, recorded_by=recorded_by, purposes=["referral", "care_coordination"],
                data_categories=["general"], effective_on=today - datetime.timedelta(days=10),
                expires_on=today + datetime.timedelta(days=365))
    if kind == ConsentKind.ECM_VERBAL:
        base.update(verbal_provider_and_service="Enhanced Care Management by Harbor ECM: a care manager who helps coordinate care",
                    verbal_information_shared=True, verbal_duration=True, verbal_right_to_withdraw=True,
                    given_by_name="Maria Lopez (mother)", obtained_by=recorded_by,
                    obtained_at=timezone.now() - datetime.timedelta(days=10))
    else:
        base.update(description_of_information="Assessments, care plan, diagnoses and recent service notes",
                    discloser="County program", signed_by_name=member.full_name,
                    signed_on=today - datetime.timedelta(days=10), statement_right_to_revoke=True,
                    statement_treatment_not_conditioned=True, statement_redisclosure=True)
    if kind in (ConsentKind.PART2, ConsentKind.COORDINATED_CARE):
        base["data_categories"] = ["sud", "general"]
    base.update(overrides)
    return base


def make_consent(kind: str, *, member, recorded_by, **overrides):
    return consent_record(**consent_kwargs(kind, member=member, recorded_by=recorded_by, **overrides))
