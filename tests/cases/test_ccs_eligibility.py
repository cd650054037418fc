"""CCS eligibility, authorizations and the clocks they open and meet: referral → authorized service; denial."""
import datetime

import pytest
from django.utils import timezone

from carecoord.clocks.models import Deadline
from carecoord.errors import RuleViolation
from cases.ccs import ccs_documentation_adequate, ccs_referral_intake, eligibility_decide, sar_decide, sar_request
from cases.ccs_models import EligibilityDetermination, ServiceAuthorization
from cases.models import Case, Task
from notices.models import Notice
from referrals.models import Referral
from tests.cases.ccs_support import consent_for_primary_care, days_ago, pdf

pytestmark = pytest.mark.django_db


def deadline(rule_code: str, **filters) -> Deadline:
    return Deadline.objects.get(rule_code=rule_code, **filters)


@pytest.fixture
def referred(manager_a, program_a, child_x, pcp):
    """A provider's referral of child X, with a report, three days ago."""
    return ccs_referral_intake(actor=manager_a, organization=program_a, source="provider", source_organization=pcp,
                               member=child_x, suspected_condition="Cystic fibrosis", referred_at=days_ago(3),
                               uploads=[pdf()])


def test_referral_to_authorized_service_opens_and_meets_each_clock(
        referred, manager_a, consultant_a, pulmonologist, child_x, plan_x, ccs_notice_templates):
    case = referred.case
    consent_for_primary_care(child_x, recorded_by=manager_a)
    # when the nurse marks the documentation adequate, the 5-working-day clock opens for the consultant
    ccs_documentation_adequate(case=case, by=manager_a, at=days_ago(2))
    medical_clock = deadline("ccs.medical_eligibility", case=case)
    assert medical_clock.status == Deadline.Status.OPEN and medical_clock.owner == consultant_a
    # and residential and financial eligibility are recorded by the nurse
    for kind in ("residential", "financial"):
        eligibility_decide(case=case, kind=kind, outcome="eligible", reason="Resides in county; Medi-Cal",
                           decided_by=manager_a, decided_at=days_ago(1.5))
    case.refresh_from_db()
    assert case.status == Case.Status.REFERRED  # still waiting for the medical determination
    # when the consultant decides medical eligibility
    eligibility_decide(case=case, kind="medical", outcome="eligible", reason="Sweat chloride positive",
                       diagnoses=["e84.0", "E84.19"], decided_by=consultant_a, decided_at=days_ago(1))
    # then the clock is met on time, and the case is open with date, diagnoses and a CCS case number
    medical_clock.refresh_from_db()
    assert medical_clock.status == Deadline.Status.MET_ON_TIME and medical_clock.met_by == consultant_a
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.eligibility_date == timezone.localtime(days_ago(1)).date()
    assert case.diagnoses == ["E84.0", "E84.19"]
    assert case.case_number.startswith(f"{child_x.county.fips_code}-")
    referred.referral.refresh_from_db()
    assert referred.referral.status == Referral.Status.CLOSED and referred.referral.outcome == "accepted"
    # and the annual medical review clock runs 12 months from eligibility
    annual = deadline("ccs.annual_medical_review", case=case)
    assert annual.status == Deadline.Status.OPEN and annual.due_at.date() >= (days_ago(1) + datetime.timedelta(days=364)).date()
    # and the provider, the plan and the family are informed
    notices = Notice.objects.filter(case=case, kind="ccs_eligibility")
    assert sorted(notices.values_list("recipient_kind", flat=True)) == ["family", "plan", "provider"]
    assert notices.get(recipient_kind="plan").recipient_org == plan_x
    assert all(n.status != Notice.Status.DRAFT for n in notices)

    # when a standard SAR starting on the referral date is requested and approved
    referral_day = timezone.localtime(referred.referral.referred_at).date()
    sar = sar_request(case=case, service="Pulmonology follow-up", provider=pulmonologist, start_date=referral_day,
                      end_date=referral_day + datetime.timedelta(days=180), requested_by=manager_a,
                      requested_at=days_ago(0.5))
    assert sar.provider_warning == ""
    standard, outer = deadline("plan.sar_standard", subject_id=sar.pk), deadline("plan.sar_standard_outer", subject_id=sar.pk)
    assert standard.status == outer.status == Deadline.Status.OPEN
    assert outer.due_at - outer.started_at >= datetime.timedelta(days=14) - datetime.timedelta(hours=1)
    sar_decide(sar=sar, decision="approved", decided_by=consultant_a, medical_necessity_review="Needed for CF care")
    # then both SAR clocks are met on time and the authorization is approved
    standard.refresh_from_db()
    outer.refresh_from_db()
    assert standard.status == outer.status == Deadline.Status.MET_ON_TIME
    sar.refresh_from_db()
    assert sar.decision == "approved" and sar.decided_by == consultant_a and sar.start_date == referral_day


def test_denial_closes_case_records_resources_and_informs_provider_plan_and_family(
        referred, manager_a, consultant_a, child_x, plan_x, pcp, ccs_notice_templates):
    case = referred.case
    consent_for_primary_care(child_x, recorded_by=manager_a)
    ccs_documentation_adequate(case=case, by=manager_a, at=days_ago(2))
    # when the consultant finds the condition not CCS-eligible
    eligibility_decide(case=case, kind="medical", outcome="not_eligible", reason="Mild asthma is not a CCS condition",
                       other_resources_offered="Medi-Cal managed care asthma program; Family Resource Center",
                       decided_by=consultant_a, decided_at=days_ago(1))
    # then the case is closed with the reason and the date, and the referral closed as not eligible
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and "Mild asthma" in case.closed_reason and case.closed_at is not None
    referred.referral.refresh_from_db()
    assert referred.referral.outcome == "not_eligible"
    determination = EligibilityDetermination.objects.get(case=case)
    assert "Family Resource Center" in determination.other_resources_offered
    assert case.timeline.filter(kind="ccs.other_resources_offered").exists()
    # and the provider, the plan and the family each get the denial; the family also a CCS NOA
    denials = Notice.objects.filter(case=case, kind="ccs_denial")
    assert {(n.recipient_kind, n.recipient_org_id) for n in denials} == {("family", None), ("plan", plan_x.pk), ("provider", pcp.pk)}
    assert all(n.status != Notice.Status.DRAFT for n in denials)
    noa = Notice.objects.get(case=case, kind="ccs_noa")
    assert noa.recipient_kind == "family" and "Mild asthma" in noa.body
    # and the NOA runs on the 7-day rule from the decision
    noa_clock = Deadline.objects.get(rule_code="ccs.noa_after_decision", subject_id=noa.pk, case=case)
    assert noa_clock.started_at == determination.decided_at
    assert timezone.localtime(noa_clock.due_at).date() == timezone.localtime(determination.decided_at).date() + datetime.timedelta(days=7)
    assert deadline("ccs.medical_eligibility", case=case).status == Deadline.Status.MET_ON_TIME


def test_medical_determination_by_a_nurse_is_refused(referred, manager_a):
    with pytest.raises(RuleViolation) as exc:
        eligibility_decide(case=referred.case, kind="medical", outcome="eligible", reason="x", diagnoses=["E84.0"],
                           decided_by=manager_a, decided_at=days_ago(1))
    assert exc.value.rule == "eligibility.medical_consultant_only" and exc.value.field == "decided_by"
    assert not EligibilityDetermination.objects.exists()


def test_bad_icd10_code_is_refused_and_nothing_written(referred, consultant_a):
    with pytest.raises(RuleViolation) as exc:
        eligibility_decide(case=referred.case, kind="medical", outcome="eligible", reason="CF", diagnoses=["E84.0", "CF-1"],
                           decided_by=consultant_a, decided_at=days_ago(1))
    assert exc.value.field == "diagnoses" and exc.value.rule == "eligibility.icd10" and "CF-1" in exc.value.message
    assert not EligibilityDetermination.objects.exists()
    referred.case.refresh_from_db()
    assert referred.case.status == Case.Status.REFERRED and referred.case.diagnoses == []


def test_determination_dated_before_the_referral_is_refused_and_nothing_written(referred, consultant_a):
    with pytest.raises(RuleViolation) as exc:
        eligibility_decide(case=referred.case, kind="medical", outcome="eligible", reason="CF", diagnoses=["E84.0"],
                           decided_by=consultant_a, decided_at=days_ago(10))
    assert exc.value.field == "decided_at" and exc.value.rule == "eligibility.before_referral"
    assert not EligibilityDetermination.objects.exists()
    assert not Deadline.objects.filter(rule_code="ccs.medical_eligibility", status="met_on_time").exists()


def test_sar_before_referral_date_is_refused_and_unpaneled_provider_is_flagged(referred, manager_a, county_a):
    from carecoord.accounts.models import Organization
    from tests.factories import OrganizationFactory

    case = referred.case
    day = timezone.localtime(referred.referral.referred_at).date()
    with pytest.raises(RuleViolation) as exc:
        sar_request(case=case, service="Chest CT", provider=OrganizationFactory(type=Organization.Type.HOSPITAL),
                    start_date=day - datetime.timedelta(days=1), end_date=day, requested_by=manager_a)
    assert exc.value.field == "start_date" and exc.value.rule == "sar.before_referral"
    assert not ServiceAuthorization.objects.exists()
    dme = OrganizationFactory(name="Corner DME", type=Organization.Type.DME_VENDOR, county=county_a)
    sar = sar_request(case=case, service="Nebulizer", provider=dme, start_date=day, end_date=day, requested_by=manager_a,
                      expedited=True)
    assert "not a CCS-paneled provider" in sar.provider_warning
    assert deadline("plan.sar_expedited", subject_id=sar.pk).due_at - sar.requested_at == datetime.timedelta(hours=72)
    assert not Deadline.objects.filter(rule_code="plan.sar_standard", subject_id=sar.pk).exists()
    # approval waits for eligibility
    with pytest.raises(RuleViolation) as exc:
        sar_decide(sar=sar, decision="approved", decided_by=manager_a, medical_necessity_review="ok")
    assert exc.value.rule == "sar.case_not_eligible"
    assert not Task.objects.filter(source="ccs_notice").exists()


def test_denied_authorization_sends_the_family_a_ccs_noa_on_the_seven_day_rule(
        referred, manager_a, consultant_a, pulmonologist, ccs_notice_templates):
    case = referred.case
    for kind in ("residential", "financial"):
        eligibility_decide(case=case, kind=kind, outcome="eligible", reason="ok", decided_by=manager_a, decided_at=days_ago(2))
    eligibility_decide(case=case, kind="medical", outcome="eligible", reason="CF", diagnoses=["E84.0"],
                       decided_by=consultant_a, decided_at=days_ago(2))
    day = timezone.localdate()
    sar = sar_request(case=case, service="Out-of-state transplant evaluation", provider=pulmonologist, start_date=day,
                      end_date=day, requested_by=manager_a, requested_at=days_ago(1))
    with pytest.raises(RuleViolation) as exc:
        sar_decide(sar=sar, decision="denied", decided_by=consultant_a, medical_necessity_review="Available in state")
    assert exc.value.field == "decision_reason"
    sar = sar_decide(sar=sar, decision="denied", decided_by=consultant_a, medical_necessity_review="Available in state",
                     reason="A CCS Special Care Center in California offers the evaluation")
    noa = Notice.objects.get(case=case, kind="ccs_noa")
    assert noa.recipient_kind == "family" and "Out-of-state transplant evaluation" in noa.body
    clock = Deadline.objects.get(rule_code="ccs.noa_after_decision", subject_id=noa.pk)
    # due by the end of the 7th calendar day after the decision, Pacific time
    assert timezone.localtime(clock.due_at).date() == timezone.localtime(sar.decided_at).date() + datetime.timedelta(days=7)
    assert deadline("plan.sar_standard", subject_id=sar.pk).status == Deadline.Status.MET_ON_TIME
