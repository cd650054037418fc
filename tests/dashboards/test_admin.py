"""Admin actions that call the services: reassign cases to another worker, close cases with a reason."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from carecoord.clocks.models import Deadline
from cases.models import Case, TimelineEntry
from tests.factories import UserFactory

from .conftest import OCT
from .factories import DeadlineFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:cases_case_changelist"


def test_reassign_action_asks_for_the_worker_then_moves_open_deadlines_and_writes_the_timeline(client, known):
    # Given case_1 of worker_1 with an open and a met deadline
    open_deadline = DeadlineFactory(case=known.case_1, owner=known.worker_1, status=Deadline.Status.OPEN, due=OCT)
    met_deadline = DeadlineFactory(case=known.case_1, owner=known.worker_1, status=Deadline.Status.MET_ON_TIME, due=OCT)
    client.force_login(known.supervisor_a)
    selected = {"action": "reassign_cases", ACTION_CHECKBOX_NAME: [known.case_1.pk]}

    # When the supervisor picks the action, an intermediate page asks for the worker (only A's workers offered)
    page = client.post(reverse(CHANGELIST), selected)
    assert page.status_code == 200
    choices = list(page.context["form"].fields["new_manager"].queryset)
    assert known.worker_2 in choices and all(user.organization_id == known.case_1.organization_id for user in choices)

    # And when the worker is chosen
    response = client.post(reverse(CHANGELIST), {**selected, "apply": "1", "new_manager": known.worker_2.pk})
    assert response.status_code == 302

    # Then the case, its open deadline (not the met one) move, and the timeline says so
    known.case_1.refresh_from_db()
    assert known.case_1.primary_case_manager == known.worker_2
    assert Deadline.objects.get(pk=open_deadline.pk).owner == known.worker_2
    assert Deadline.objects.get(pk=met_deadline.pk).owner == known.worker_1
    entry = TimelineEntry.objects.get(case=known.case_1, kind="case.reassigned")
    assert entry.actor == known.supervisor_a and "open clocks moved" in entry.summary


def test_reassign_refuses_a_worker_of_another_organization(client, known):
    outsider = UserFactory(organization=known.case_b.organization)
    client.force_login(known.supervisor_a)
    response = client.post(reverse(CHANGELIST), {"action": "reassign_cases", ACTION_CHECKBOX_NAME: [known.case_1.pk],
                                                 "apply": "1", "new_manager": outsider.pk})
    assert response.status_code == 200 and "new_manager" in response.context["form"].errors
    known.case_1.refresh_from_db()
    assert known.case_1.primary_case_manager == known.worker_1
    assert not TimelineEntry.objects.filter(case=known.case_1, kind="case.reassigned").exists()


def test_close_action_needs_a_reason_and_closes_through_the_service(client, known):
    client.force_login(known.supervisor_a)
    selected = {"action": "close_cases", ACTION_CHECKBOX_NAME: [known.case_1.pk]}
    # Without a reason: the form asks again, nothing closed
    response = client.post(reverse(CHANGELIST), {**selected, "apply": "1", "reason": " "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert Case.objects.get(pk=known.case_1.pk).status == Case.Status.OPEN
    # With a reason: closed, reason kept, timeline written
    client.post(reverse(CHANGELIST), {**selected, "apply": "1", "reason": "Moved out of county"})
    case = Case.objects.get(pk=known.case_1.pk)
    assert (case.status, case.closed_reason) == (Case.Status.CLOSED, "Moved out of county")
    assert TimelineEntry.objects.filter(case=case, kind="case.closed", actor=known.supervisor_a).exists()


def test_supervisor_cannot_act_on_another_organizations_case(client, known):
    client.force_login(known.supervisor_a)
    client.post(reverse(CHANGELIST), {"action": "close_cases", ACTION_CHECKBOX_NAME: [known.case_b.pk],
                                      "apply": "1", "reason": "Not mine"})
    assert Case.objects.get(pk=known.case_b.pk).status == Case.Status.OPEN


def test_case_records_written_by_services_are_listed_searchable_and_read_only(rf, known):
    from django.contrib import admin

    from cases.models import CareTeamMember, Coverage, Document

    request = rf.get("/admin/")
    request.user = known.supervisor_a
    for model in (Coverage, CareTeamMember, Document):
        model_admin = admin.site._registry[model]
        assert model_admin.search_fields and model_admin.list_filter, model
        assert not model_admin.has_change_permission(request) and not model_admin.has_add_permission(request), model
