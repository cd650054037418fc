"""Data rules the database and the services enforce on members, coverage and cases."""
import datetime

import pytest
from django.db import IntegrityError, transaction

from carecoord.errors import RuleViolation
from cases.models import Case, Coverage, Member, TimelineEntry
from cases.services import case_change_status, case_close, case_create, coverage_add, member_create
from tests.conftest import requires_postgres
from tests.factories import CaseFactory, CountyFactory, CoverageFactory, MemberFactory, OrganizationFactory, PlanFactory


@pytest.mark.django_db
def test_second_open_coverage_is_refused_by_the_database():
    # given a member with an open-ended coverage
    coverage = CoverageFactory()
    # when a second open-ended coverage is inserted directly
    # then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.create(member=coverage.member, kind="ffs", start_date=datetime.date(2026, 1, 1))


@requires_postgres()
@pytest.mark.django_db
def test_overlapping_closed_coverages_are_refused_by_postgres_exclusion_constraint():
    member = MemberFactory()
    plan = PlanFactory()
    Coverage.objects.create(member=member, kind="mcp", plan=plan, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 6, 30))
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.create(member=member, kind="ffs", start_date=datetime.date(2026, 6, 1), end_date=datetime.date(2026, 8, 1))


@pytest.mark.django_db
def test_coverage_add_refuses_overlap_naming_the_rule_and_writes_nothing():
    coverage = CoverageFactory(start_date=datetime.date(2025, 1, 1))
    with pytest.raises(RuleViolation) as exc:
        coverage_add(member=coverage.member, kind="ffs", start_date=datetime.date(2026, 1, 1))
    assert exc.value.rule == "coverage.one_active"
    assert exc.value.field == "start_date"
    assert Coverage.objects.filter(member=coverage.member).count() == 1


@pytest.mark.django_db
def test_coverage_add_accepts_a_period_after_the_previous_ends():
    coverage = CoverageFactory(start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31))
    new = coverage_add(member=coverage.member, kind="ffs", start_date=datetime.date(2026, 1, 1))
    assert new.pk and new.plan is None


@pytest.mark.django_db
def test_mcp_coverage_without_plan_is_refused_by_the_database():
    member = MemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.create(member=member, kind="mcp", start_date=datetime.date(2026, 1, 1))


@pytest.mark.parametrize("cin", ["1234567A", "123456789", "1234567AB", "ABCDEFGHI", "9123456"])
@pytest.mark.django_db
def test_bad_cin_is_refused_with_a_clear_message(cin):
    county = CountyFactory()
    with pytest.raises(RuleViolation) as exc:
        member_create(county=county, first_name="Ana", last_name="Ruiz", date_of_birth=datetime.date(2015, 3, 1), cin=cin)
    assert exc.value.field == "cin"
    assert "8 digits followed by a capital letter" in exc.value.message
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_good_cin_is_accepted_and_normalised():
    member = member_create(county=CountyFactory(), first_name="Ana", last_name="Ruiz",
                           date_of_birth=datetime.date(2015, 3, 1), cin="91234567a")
    assert member.cin == "91234567A"


@pytest.mark.django_db
def test_ssn_is_masked_for_display():
    member = MemberFactory(ssn="123-45-6789")
    assert member.ssn_masked == "***-**-6789"


@pytest.mark.django_db
def test_illegal_case_status_move_is_refused_and_nothing_changes():
    case = CaseFactory(status=Case.Status.OPEN)
    case_close(case=case, reason="Reunified")
    with pytest.raises(RuleViolation) as exc:
        case_change_status(case=case, status=Case.Status.OPEN)
    assert exc.value.rule == "case.status_move"
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


@pytest.mark.django_db
def test_closing_needs_a_reason():
    case = CaseFactory(status=Case.Status.OPEN)
    with pytest.raises(RuleViolation) as exc:
        case_close(case=case, reason="  ")
    assert exc.value.field == "closed_reason"
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


@pytest.mark.django_db
def test_closed_case_without_reason_is_refused_by_the_database():
    case = CaseFactory(status=Case.Status.OPEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="closed")


@pytest.mark.django_db
def test_one_active_case_per_member_and_program():
    case = CaseFactory(status=Case.Status.OPEN)
    with pytest.raises(RuleViolation) as exc:
        case_create(member=case.member, program=case.program, organization=case.organization)
    assert exc.value.rule == "case.one_active_per_program"
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(member=case.member, program=case.program, organization=case.organization)


@pytest.mark.django_db
def test_status_moves_write_the_timeline_in_order():
    org = OrganizationFactory()
    member = MemberFactory()
    case = case_create(member=member, program="ecm", organization=org)
    case_change_status(case=case, status=Case.Status.OPEN)
    case_close(case=case, reason="Aged out of ECM")
    kinds = list(TimelineEntry.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["case.referred", "case.open", "case.closed"]


@pytest.mark.django_db
def test_bad_icd10_diagnosis_is_refused():
    case = CaseFactory(status=Case.Status.REFERRED)
    from cases.services import case_open

    with pytest.raises(RuleViolation) as exc:
        case_open(case=case, diagnoses=["J45.909", "not-a-code"])
    assert exc.value.field == "diagnoses"
    case.refresh_from_db()
    assert case.status == Case.Status.REFERRED and case.diagnoses == []
