"""Fixtures for the notices tests: a CCS case of a Spanish-speaking member and a complete NOA context."""
import pytest

NOA_CONTEXT = {
    "action": "Your child will be enrolled in Valley Health Plan.",
    "reason": "Your county has one Medi-Cal plan for children in foster care.",
    "rule": "Welfare and Institutions Code section 14093.06",
    "plan_name": "Valley Health Plan",
}


@pytest.fixture(autouse=True)
def notice_templates(request):
    """The shipped templates. The data migration loads them, but a transactional test run earlier empties the tables."""
    if not request.node.get_closest_marker("django_db"):
        return
    from notices.models import NoticeTemplate
    from notices.seed_texts import seed

    seed(NoticeTemplate)


@pytest.fixture
def noa_context():
    return dict(NOA_CONTEXT)


@pytest.fixture
def spanish_case(case_a):
    member = case_a.member
    member.preferred_language = "es"
    member.first_name, member.last_name = "Sofía", "Martínez"
    member.address_line1 = "1200 J Street"
    member.save()
    case_a.organization.phone = "916-555-0100"
    case_a.organization.address = "900 Capitol Mall, Sacramento, CA 95814"
    case_a.organization.save()
    return case_a
