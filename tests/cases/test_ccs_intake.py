"""CCS intake from any source: referral + referred case, documents, duplicate detection, documentation clock."""
import pytest

from carecoord.clocks.models import Deadline
from carecoord.errors import RuleViolation
from cases.ccs import ccs_documentation_adequate, ccs_referral_intake
from cases.models import Case, Document, Member
from referrals.models import Referral, ReferralEvent
from tests.cases.ccs_support import days_ago, exe, new_member_data, pdf

pytestmark = pytest.mark.django_db


def test_phone_referral_for_a_new_member_creates_member_referred_case_referral_and_document(manager_a, program_a, county_a):
    # given a nurse taking a phone referral from a school nurse about a new child
    # when she records it with a report attached
    result = ccs_referral_intake(
        actor=manager_a, organization=program_a, source=Referral.Source.SCHOOL,
        new_member=new_member_data(county_a), suspected_condition="Cystic fibrosis suspected",
        reporter_name="Jo Park", reporter_relationship="school nurse", reporter_phone="916-555-0101",
        referred_at=days_ago(1), uploads=[pdf()],
    )
    # then the member, a referred CCS case she manages, the referral and the document exist together
    case = result.case
    assert result.member_created and result.case_created
    assert case.status == Case.Status.REFERRED and case.program == "ccs"
    assert case.primary_case_manager == manager_a and case.referral_source == "school"
    referral = result.referral
    assert referral.case == case and referral.status == Referral.Status.RECEIVED
    assert referral.direction == "inbound" and referral.source == "school" and not referral.possible_duplicate
    assert list(referral.documents.all()) == list(result.documents)
    assert result.documents[0].case == case and result.documents[0].content_type == "application/pdf"
    assert list(referral.events.values_list("action", flat=True)) == ["received", "documents_attached"]
    assert case.timeline.filter(kind="referral.received").exists()


def test_second_referral_for_member_with_pending_referral_is_flagged_not_doubled(manager_a, program_a, child_x):
    # given a child with a pending CCS referral
    first = ccs_referral_intake(actor=manager_a, organization=program_a, source="family", member=child_x,
                                suspected_condition="Heart murmur", referred_at=days_ago(3))
    # when the child's doctor refers the same child
    second = ccs_referral_intake(actor=manager_a, organization=program_a, source="provider", member=child_x,
                                 suspected_condition="Congenital heart disease", referred_at=days_ago(1))
    # then the second joins the same case, is flagged with what it duplicates, and no second case exists
    assert second.case == first.case and not second.case_created
    assert second.referral.possible_duplicate and second.referral.duplicate_of == first.referral
    assert "pending referral" in second.referral.duplicate_note and "referred CCS case" in second.referral.duplicate_note
    assert Case.objects.filter(member=child_x, program="ccs").count() == 1
    assert ReferralEvent.objects.filter(referral=second.referral, action="duplicate_flagged").exists()


def test_referral_for_member_with_open_ccs_case_is_flagged(manager_a, program_a, case_a):
    result = ccs_referral_intake(actor=manager_a, organization=program_a, source="health_plan", member=case_a.member,
                                 suspected_condition="Follow-up", referred_at=days_ago(0.1))
    assert result.referral.possible_duplicate and "open CCS case" in result.referral.duplicate_note
    assert result.case == case_a


def test_disallowed_upload_type_is_refused_and_nothing_is_written(manager_a, program_a, county_a):
    # given a phone intake with an executable renamed .pdf
    with pytest.raises(RuleViolation) as exc:
        ccs_referral_intake(actor=manager_a, organization=program_a, source="family",
                            new_member=new_member_data(county_a), suspected_condition="Scoliosis",
                            uploads=[pdf("good.pdf"), exe()])
    # then the upload rule names the field, and no member, case, referral or document was written
    assert exc.value.rule == "upload.content_type" and exc.value.field == "documents"
    assert not Member.objects.exists() and not Case.objects.exists()
    assert not Referral.objects.exists() and not Document.objects.exists()


def test_bad_cin_for_new_member_names_the_field(manager_a, program_a, county_a):
    with pytest.raises(RuleViolation) as exc:
        ccs_referral_intake(actor=manager_a, organization=program_a, source="family",
                            new_member=new_member_data(county_a, cin="12AB"), suspected_condition="Scoliosis")
    assert exc.value.field == "cin"
    assert not Referral.objects.exists()


def test_documentation_adequate_starts_five_working_day_clock_owned_by_medical_consultant(manager_a, program_a, child_x, consultant_a):
    result = ccs_referral_intake(actor=manager_a, organization=program_a, source="provider", member=child_x,
                                 suspected_condition="Cerebral palsy", referred_at=days_ago(2))
    deadline = ccs_documentation_adequate(case=result.case, by=manager_a, at=days_ago(1))
    assert deadline.rule_code == "ccs.medical_eligibility" and deadline.status == Deadline.Status.OPEN
    assert deadline.owner == consultant_a and deadline.case == result.case
    # 5 working days: at least 7 calendar days only when a weekend falls in between; never fewer than 5
    assert (deadline.due_at - deadline.started_at).days >= 4
    result.referral.refresh_from_db()
    assert result.referral.documentation_adequate_at is not None
    # recording it again keeps the one clock
    assert ccs_documentation_adequate(case=result.case, by=manager_a) == deadline
    assert Deadline.objects.filter(rule_code="ccs.medical_eligibility").count() == 1
