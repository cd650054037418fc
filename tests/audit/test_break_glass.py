"""Break-glass: a case manager opens a case outside their scope with a reason, for a limited
time; audited; the supervisor is told; it expires."""
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from carecoord.audit.models import AccessEvent, BreakGlassGrant
from carecoord.audit.services import break_glass_grant
from carecoord.clocks.models import Notification
from carecoord.errors import RuleViolation
from cases.models import TimelineEntry
from cases.selectors import case_get_for_user, case_list_visible_to
from tests.factories import SupervisorFactory, UserFactory

REASON = "Member in the emergency room, their nurse is out today"


def test_grant_opens_the_case_audits_and_tells_the_supervisor(case_b, manager_a, supervisor_a):
    # Given a case outside the manager's scope
    with pytest.raises(Http404):
        case_get_for_user(user=manager_a, case_id=case_b.pk)
    # When they ask with a reason
    grant = break_glass_grant(user=manager_a, case=case_b, reason=REASON)
    # Then they can open it, for the configured hours
    assert case_get_for_user(user=manager_a, case_id=case_b.pk) == case_b
    assert grant.expires_at - grant.granted_at == timedelta(hours=4)
    # And it is audited, on the case timeline, and their supervisor is told
    event = AccessEvent.objects.get(action="break_glass")
    assert event.user_id == manager_a.pk and event.members == [case_b.member_id]
    assert event.detail["reason"] == REASON
    assert TimelineEntry.objects.filter(case=case_b, kind="break_glass").exists()
    note = Notification.objects.get(user=supervisor_a)
    assert REASON in note.message and note.url == f"/audit/users/{manager_a.pk}/"


def test_break_glass_access_expires(case_b, manager_a):
    # Given a grant made five hours ago (longer than the four-hour limit)
    past = timezone.now() - timedelta(hours=5)
    break_glass_grant(user=manager_a, case=case_b, reason=REASON, now=past)
    # Then the case is out of scope again
    assert not case_list_visible_to(user=manager_a).filter(pk=case_b.pk).exists()
    with pytest.raises(Http404):
        case_get_for_user(user=manager_a, case_id=case_b.pk)


def test_a_reason_is_required_and_nothing_is_written(case_b, manager_a):
    with pytest.raises(RuleViolation) as error:
        break_glass_grant(user=manager_a, case=case_b, reason="  because ")
    assert (error.value.field, error.value.rule) == ("reason", "break_glass.reason")
    assert not BreakGlassGrant.objects.exists() and not AccessEvent.objects.exists()


def test_only_case_managers_may_break_glass(case_b, program_a):
    supervisor = SupervisorFactory(organization=program_a)
    with pytest.raises(RuleViolation) as error:
        break_glass_grant(user=supervisor, case=case_b, reason=REASON)
    assert error.value.rule == "break_glass.role"


def test_not_for_cases_already_in_scope(case_a, manager_a):
    with pytest.raises(RuleViolation) as error:
        break_glass_grant(user=manager_a, case=case_a, reason=REASON)
    assert error.value.rule == "break_glass.not_needed"


def test_request_page_from_the_404_of_a_case(client, case_b, manager_a):
    # Given a case manager who follows a link to a case outside their scope
    client.force_login(manager_a)
    not_found = client.get(f"/cases/{case_b.pk}/")
    assert not_found.status_code == 404
    assert "Request emergency access" in not_found.content.decode()
    assert case_b.member.last_name not in not_found.content.decode()
    # When they request access with a reason from the offered page
    page = client.get("/audit/break-glass/", {"next": f"/cases/{case_b.pk}/"})
    assert f'value="{case_b.pk}"' in page.content.decode()
    response = client.post("/audit/break-glass/", {"case_reference": str(case_b.pk), "reason": REASON})
    # Then they land on the case
    assert response.status_code == 302 and response["Location"] == f"/cases/{case_b.pk}/"
    assert client.get(f"/cases/{case_b.pk}/").status_code == 200


def test_other_roles_cannot_open_the_request_page(client, program_a):
    client.force_login(SupervisorFactory(organization=program_a))
    assert client.get("/audit/break-glass/").status_code == 403


def test_liaison_is_refused(client, liaison_x):
    client.force_login(liaison_x)
    assert client.get("/audit/break-glass/").status_code == 403


def test_grant_without_team_supervisor_tells_the_organization_supervisors(case_b, program_a):
    lone = UserFactory(organization=program_a, team=None)
    boss = SupervisorFactory(organization=program_a)
    break_glass_grant(user=lone, case=case_b, reason=REASON)
    assert Notification.objects.filter(user=boss).exists()
