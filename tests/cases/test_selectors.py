"""Who sees what: every page and endpoint loads through these selectors."""
import pytest
from django.http import Http404

from cases.selectors import case_get_for_user, case_list_visible_to, member_get_for_user, member_list_visible_to
from cases.services import case_share
from tests.factories import CareTeamMemberFactory, CaseFactory, CoverageFactory, MemberFactory, UserFactory


@pytest.mark.django_db
def test_case_manager_of_county_a_gets_404_on_county_b_case(manager_a, case_a, case_b):
    assert case_get_for_user(user=manager_a, case_id=case_a.pk) == case_a
    with pytest.raises(Http404):
        case_get_for_user(user=manager_a, case_id=case_b.pk)
    assert list(case_list_visible_to(user=manager_a)) == [case_a]


@pytest.mark.django_db
def test_case_manager_sees_cases_they_are_on_the_care_team_of(manager_a, case_b):
    CareTeamMemberFactory(case=case_b, user=manager_a)
    assert case_b in case_list_visible_to(user=manager_a)


@pytest.mark.django_db
def test_supervisor_sees_their_organizations_cases_only(supervisor_a, case_a, case_b, program_a):
    other_team_case = CaseFactory(organization=program_a)
    visible = set(case_list_visible_to(user=supervisor_a))
    assert visible == {case_a, other_team_case}


@pytest.mark.django_db
def test_liaison_of_plan_x_cannot_list_plan_y_members(liaison_x, case_a, case_b, plan_x):
    enrolled_without_case = MemberFactory()
    CoverageFactory(member=enrolled_without_case, plan=plan_x)
    members = set(member_list_visible_to(user=liaison_x))
    assert members == {case_a.member, enrolled_without_case}
    with pytest.raises(Http404):
        member_get_for_user(user=liaison_x, member_id=case_b.member_id)
    assert list(case_list_visible_to(user=liaison_x)) == [case_a]


@pytest.mark.django_db
def test_liaison_loses_sight_when_coverage_ends(liaison_x, case_a):
    import datetime

    from django.utils import timezone

    coverage = case_a.member.coverages.get()
    coverage.end_date = timezone.localdate() - datetime.timedelta(days=1)
    coverage.save()
    assert not case_list_visible_to(user=liaison_x).exists()


@pytest.mark.django_db
def test_guardian_share_opens_exactly_one_case(manager_a, case_b, program_b):
    another_b_case = CaseFactory(organization=program_b)
    case_share(case=case_b, user=manager_a, reason="Covering for a colleague")
    visible = set(case_list_visible_to(user=manager_a))
    assert case_b in visible and another_b_case not in visible
    assert case_get_for_user(user=manager_a, case_id=case_b.pk) == case_b


@pytest.mark.django_db
def test_user_without_role_scope_sees_nothing(case_a):
    admin = UserFactory(role="administrator", team=None)
    inactive = UserFactory(is_active=False)
    assert not case_list_visible_to(user=admin).exists()
    assert not case_list_visible_to(user=inactive).exists()
    assert not member_list_visible_to(user=admin).exists()


@pytest.mark.django_db
def test_garbage_ids_are_404_not_500(manager_a):
    with pytest.raises(Http404):
        case_get_for_user(user=manager_a, case_id="abc")
