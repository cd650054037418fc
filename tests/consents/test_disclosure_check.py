"""The one disclosure check, over consent kinds, data categories, recipients, purposes, dates and revocation."""
import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from consents.models import ConsentKind
from consents.services import (
    PART2_REDISCLOSURE_NOTICE,
    consent_expire_by_event,
    consent_revoke,
    disclosure_check,
    filter_categories,
)
from tests.factories import CareTeamMemberFactory, MemberFactory, ProviderFactory
from tests.consents.factories import make_consent

HIPAA, PART2, VERBAL, CCC = (ConsentKind.HIPAA_AUTHORIZATION, ConsentKind.PART2, ConsentKind.ECM_VERBAL,
                             ConsentKind.COORDINATED_CARE)


@pytest.fixture
def world(case_a, manager_a, plan_y):
    provider_p = ProviderFactory(name="New Dawn Residential Treatment", type="dmc_ods_provider")
    provider_q = ProviderFactory(name="Hillside Recovery", type="dmc_ods_provider")
    treating = ProviderFactory(name="Harbor Pediatrics", type="medical_home")
    CareTeamMemberFactory(case=case_a, organization=treating, user=None, contact_name="Dr. Reyes", role="specialist")
    return {
        "member": case_a.member, "user": manager_a, "own_plan": case_a.member.coverages.get().plan,
        "other_plan": plan_y, "P": provider_p, "Q": provider_q, "treating": treating, "none": None,
    }


@dataclass
class Row:
    id: str
    consent: str | None  # kind of the one consent on file, or None
    to: str  # key in world
    purpose: str
    categories: tuple
    allowed: bool
    rule: str
    scope: dict = field(default_factory=dict)  # consent_record overrides; "recipients" given as world keys
    state: str = ""  # "", "revoked", "event", "future"
    at_days: int = 0  # check this many days from now
    recipient_name: str = ""


DAY = datetime.timedelta(days=1)
ROWS = [
    # No consent on file: only the narrow own-plan TPO rule lets anything go.
    Row("none-general-provider", None, "P", "referral", ("general",), False, "disclosure.consent_required"),
    Row("none-general-own-plan-coordination", None, "own_plan", "care_coordination", ("general",), True, "hipaa.tpo_own_plan"),
    Row("none-general-own-plan-payment", None, "own_plan", "payment", ("general",), True, "hipaa.tpo_own_plan"),
    Row("none-general-own-plan-enrollment", None, "own_plan", "enrollment", ("general",), True, "hipaa.tpo_own_plan"),
    Row("none-general-own-plan-referral", None, "own_plan", "referral", ("general",), False, "disclosure.consent_required"),
    Row("none-mental-health-own-plan", None, "own_plan", "care_coordination", ("mental_health",), False, "disclosure.consent_required"),
    Row("none-general-other-plan", None, "other_plan", "care_coordination", ("general",), False, "disclosure.consent_required"),
    Row("none-sud-own-plan", None, "own_plan", "care_coordination", ("sud",), False, "disclosure.part2_consent_required"),
    Row("none-general+sud-own-plan", None, "own_plan", "payment", ("general", "sud"), False, "disclosure.part2_consent_required"),
    # HIPAA authorization naming provider P.
    Row("hipaa-named", HIPAA, "P", "referral", ("general", "mental_health"), True, "consent.covered",
        {"recipients": ["P"], "data_categories": ["general", "mental_health"]}),
    Row("hipaa-other-recipient", HIPAA, "Q", "referral", ("general",), False, "disclosure.consent_required", {"recipients": ["P"]}),
    Row("hipaa-other-purpose", HIPAA, "P", "legal", ("general",), False, "disclosure.consent_required", {"recipients": ["P"]}),
    Row("hipaa-category-not-listed", HIPAA, "P", "referral", ("hiv",), False, "disclosure.consent_required", {"recipients": ["P"]}),
    Row("hipaa-never-covers-sud", HIPAA, "P", "referral", ("sud",), False, "disclosure.part2_consent_required", {"recipients": ["P"]}),
    Row("hipaa-care-team-category", HIPAA, "treating", "care_coordination", ("general",), True, "consent.covered",
        {"recipient_categories": ["care_team"]}),
    Row("hipaa-named-person", HIPAA, "none", "member_request", ("general",), True, "consent.covered",
        {"recipient_persons": ["Ana Ruiz"], "purposes": ["member_request"]}, recipient_name="ana ruiz"),
    Row("hipaa-other-person", HIPAA, "none", "member_request", ("general",), False, "disclosure.consent_required",
        {"recipient_persons": ["Ana Ruiz"], "purposes": ["member_request"]}, recipient_name="Luis Ruiz"),
    # Part 2 consent naming P.
    Row("part2-named", PART2, "P", "referral", ("sud",), True, "consent.covered", {"recipients": ["P"]}),
    Row("part2-other-provider", PART2, "Q", "referral", ("sud",), False, "disclosure.part2_consent_required", {"recipients": ["P"]}),
    Row("part2-other-purpose", PART2, "P", "payment", ("sud",), False, "disclosure.part2_consent_required", {"recipients": ["P"]}),
    Row("part2-generic-own-plan", PART2, "own_plan", "care_coordination", ("sud", "general"), True, "consent.covered",
        {"recipient_categories": ["member_plan"], "tpo_generic": True, "data_categories": ["sud"]}),
    Row("part2-generic-not-other-plan", PART2, "other_plan", "care_coordination", ("sud",), False,
        "disclosure.part2_consent_required", {"recipient_categories": ["member_plan"], "tpo_generic": True}),
    # Coordinated care consent (DMC-ODS) to treating providers described generically.
    Row("ccc-treating-provider", CCC, "treating", "treatment", ("sud",), True, "consent.covered",
        {"recipient_categories": ["treating_providers"], "tpo_generic": True, "purposes": ["treatment", "care_coordination"]}),
    Row("ccc-not-a-treating-provider", CCC, "Q", "treatment", ("sud",), False, "disclosure.part2_consent_required",
        {"recipient_categories": ["treating_providers"], "tpo_generic": True, "purposes": ["treatment"]}),
    # ECM verbal referral consent.
    Row("verbal-named", VERBAL, "P", "referral", ("general",), True, "consent.covered", {"recipients": ["P"]}),
    Row("verbal-category-not-listed", VERBAL, "P", "referral", ("mental_health",), False, "disclosure.consent_required",
        {"recipients": ["P"]}),
    # Dates and revocation.
    Row("hipaa-not-yet-effective", HIPAA, "P", "referral", ("general",), False, "disclosure.consent_not_yet_effective",
        {"recipients": ["P"]}, state="future"),
    Row("hipaa-checked-before-effective", HIPAA, "P", "referral", ("general",), False,
        "disclosure.consent_not_yet_effective", {"recipients": ["P"]}, at_days=-30),
    Row("hipaa-checked-after-expiry", HIPAA, "P", "referral", ("general",), False, "disclosure.consent_expired",
        {"recipients": ["P"]}, at_days=400),
    Row("hipaa-checked-on-expiry-day", HIPAA, "P", "referral", ("general",), False, "disclosure.consent_expired",
        {"recipients": ["P"]}, at_days=365),
    Row("hipaa-checked-day-before-expiry", HIPAA, "P", "referral", ("general",), True, "consent.covered",
        {"recipients": ["P"]}, at_days=364),
    Row("hipaa-expired-by-event", HIPAA, "P", "referral", ("general",), False, "disclosure.consent_expired",
        {"recipients": ["P"], "expiry_event": "Discharge from ECM"}, state="event"),
    Row("hipaa-revoked", HIPAA, "P", "referral", ("general",), False, "disclosure.consent_revoked", {"recipients": ["P"]}, state="revoked"),
    Row("part2-revoked", PART2, "P", "referral", ("sud",), False, "disclosure.consent_revoked", {"recipients": ["P"]}, state="revoked"),
    Row("hipaa-revoked-checked-before-revocation", HIPAA, "P", "referral", ("general",), True, "consent.covered",
        {"recipients": ["P"]}, state="revoked", at_days=-2),
    # The member's own access; bad requests.
    Row("own-access", None, "none", "member_request", ("general", "sud"), True, "member.own_access", recipient_name="__member__"),
    Row("unknown-category", None, "P", "referral", ("genetic",), False, "disclosure.unknown_category"),
    Row("unknown-purpose", None, "P", "marketing", ("general",), False, "disclosure.unknown_purpose"),
    Row("no-recipient", None, "none", "referral", ("general",), False, "disclosure.no_recipient"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_disclosure_check_table(world, row):
    # Given the member with (at most) one consent of the row's kind and scope, in the row's state
    member, user = world["member"], world["user"]
    now = timezone.now()
    consent = None
    if row.consent:
        scope = dict(row.scope)
        if "recipients" in scope:
            scope["recipients"] = [world[key] for key in scope["recipients"]]
        if row.state == "future":
            scope["effective_on"] = timezone.localdate() + 5 * DAY
        if row.at_days < 0 and row.state != "revoked":
            scope["effective_on"] = timezone.localdate() - 10 * DAY
        consent = make_consent(row.consent, member=member, recorded_by=user, **scope)
        if row.state == "revoked":
            consent_revoke(consent=consent, revoked_by=user, in_writing=True, at=now - DAY)
        if row.state == "event":
            consent_expire_by_event(consent=consent, recorded_by=user, at=now - DAY)
    name = member.full_name if row.recipient_name == "__member__" else row.recipient_name

    # When the check is asked at the row's moment
    at = now
    if row.at_days:  # noon Pacific on the day, so the date under test never depends on the hour the suite runs
        at = timezone.make_aware(datetime.datetime.combine(timezone.localdate() + row.at_days * DAY, datetime.time(12)))
    decision = disclosure_check(member=member, recipient=world[row.to], purpose=row.purpose, categories=row.categories,
                                recipient_name=name, at=at)

    # Then the outcome and rule are the row's, the consent relied on is named, SUD carries the notice
    assert (decision.allowed, decision.rule) == (row.allowed, row.rule), decision.reason
    if decision.allowed:
        assert decision.denied_categories == frozenset()
        assert decision.consents == ((consent,) if row.rule == "consent.covered" else ())
        expects_notice = "sud" in row.categories and row.rule != "member.own_access"
        assert decision.redisclosure_notice == (PART2_REDISCLOSURE_NOTICE if expects_notice else "")
    else:
        assert decision.denied_categories or row.rule == "disclosure.no_categories"
        assert decision.consents == ()
        assert decision.redisclosure_notice == ""


@pytest.mark.django_db
def test_denial_reason_names_category_recipient_and_purpose(world):
    # Given a Part 2 consent naming provider P only
    make_consent(PART2, member=world["member"], recorded_by=world["user"], recipients=[world["P"]])
    # When SUD records would go to provider Q
    decision = disclosure_check(member=world["member"], recipient=world["Q"], purpose="referral", categories=["sud"])
    # Then the reason names the Part 2 consent missing, the recipient and the purpose
    assert not decision.allowed
    assert "Part 2" in decision.reason and "Hillside Recovery" in decision.reason and "Referral" in decision.reason


@pytest.mark.django_db
def test_filter_categories_segments_sud_out_without_part2_consent(world):
    # Given a HIPAA authorization to the member's plan for general and mental health, no Part 2 consent
    plan = world["own_plan"]
    make_consent(HIPAA, member=world["member"], recorded_by=world["user"], recipients=[plan],
                 data_categories=["general", "mental_health"])
    asked = ["general", "mental_health", "sud", "hiv"]
    # When the plan's API asks which categories may go
    allowed = filter_categories(member=world["member"], recipient=plan, purpose="care_coordination", categories=asked)
    # Then SUD and HIV are left out, the rest goes
    assert allowed == frozenset({"general", "mental_health"})
    # And once a Part 2 consent names the plan, SUD goes too
    make_consent(PART2, member=world["member"], recorded_by=world["user"], recipients=[plan])
    allowed = filter_categories(member=world["member"], recipient=plan, purpose="care_coordination", categories=asked)
    assert allowed == frozenset({"general", "mental_health", "sud"})


@pytest.mark.django_db
def test_filter_categories_other_plan_gets_nothing(world):
    other = MemberFactory(county=world["member"].county)
    assert filter_categories(member=other, recipient=world["own_plan"], purpose="payment", categories=["general", "sud"]) == frozenset()
