"""Reading a case is not changing it.

A case is opened one by one to people outside the organization responsible for it: shared with a
worker of another county (django-guardian), or read under break-glass. They may read it; only the
responsible organization, the primary case manager and the care team change it (``case_editable_by``),
in every program's pages as in the API.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from carecoord.audit.models import BreakGlassGrant
from cases.ccs_models import CarePlan
from cases.models import Case, CareTeamMember
from cases.services import case_share
from tests.factories import CaseFactory, MemberFactory, UserFactory
from transitions.models import ServiceNote

pytestmark = pytest.mark.django_db

READ_ONLY = "Only the organization responsible for the case, its case manager and its care team may change it."


@pytest.fixture
def dmc_case(program_a, manager_a):
    return CaseFactory(member=MemberFactory(), organization=program_a, team=manager_a.team, primary_case_manager=manager_a,
                       program="dmc_ods")


@pytest.fixture(params=["shared", "break_glass"])
def reader(request, case_a, dmc_case, program_b):
    """A case manager of another county who may read cases A and the DMC-ODS case, by a share or by break-glass."""
    user = UserFactory(organization=program_b)
    for case in (case_a, dmc_case):
        if request.param == "shared":
            case_share(case=case, user=user, reason="Transfer between counties")
        else:
            BreakGlassGrant.objects.create(user=user, case=case, reason="Member in the emergency room",
                                           expires_at=timezone.now() + datetime.timedelta(hours=1))
    return user


def change_pages(case_a, dmc_case) -> list[str]:
    """A page that changes the case in each program: CCS care plan, service referral, notice, appeal, DMC-ODS note."""
    return [
        reverse("ccs:care_plan_new", args=[case_a.pk]),
        reverse("referrals:outbound_new", args=[case_a.pk]),
        reverse("notices:new", args=[case_a.pk]),
        reverse("notices:appeal_new", args=[case_a.pk]),
        reverse("transitions:action", args=["case", dmc_case.pk, "note"]),
    ]


def test_a_reader_of_another_county_may_open_the_case_but_change_nothing_in_any_program(client, case_a, dmc_case, reader,
                                                                                        manager_a):
    # The case manager responsible is shown each form
    client.force_login(manager_a)
    for url in change_pages(case_a, dmc_case):
        assert client.get(url).status_code == 200, url

    # The reader may open the case, and is refused each form, shown or sent, with the reason
    client.force_login(reader)
    assert client.get(reverse("case_detail", args=[case_a.pk])).status_code == 200
    for url in change_pages(case_a, dmc_case):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "Care plan", "text": "Called", "reason": "Therapy"}).status_code == 403, url
    assert not CarePlan.objects.filter(case=case_a).exists() and not ServiceNote.objects.filter(case=dmc_case).exists()
    # A refusal says why
    response = client.post(reverse("ccs:care_plan_new", args=[case_a.pk]), {"title": "Care plan"})
    assert READ_ONLY in response.content.decode()
    response = client.post(reverse("case_status", args=[case_a.pk]), {"status": "closed", "closed_reason": "Moved"})
    assert response.status_code == 403 and READ_ONLY in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.OPEN


def test_joining_the_care_team_lets_the_same_worker_change_the_case(client, case_a, program_b):
    # Given a worker of another county on case A's care team (no share needed to read it)
    worker = UserFactory(organization=program_b)
    CareTeamMember.objects.create(case=case_a, user=worker, role=CareTeamMember.Role.OTHER)
    client.force_login(worker)

    # When they write the care plan, Then it is written
    response = client.post(reverse("ccs:care_plan_new", args=[case_a.pk]), {"title": "Care plan", "summary": "Wheelchair"})
    assert response.status_code == 302
    assert CarePlan.objects.filter(case=case_a, title="Care plan").exists()


def test_the_case_page_offers_a_reader_none_of_the_programs_changes(client, case_a, dmc_case, reader, manager_a):
    def change_links(user) -> dict[str, bool]:
        client.force_login(user)
        ccs = client.get(reverse("case_detail", args=[case_a.pk])).content.decode()
        dmc = client.get(reverse("case_detail", args=[dmc_case.pk])).content.decode()
        return {
            "ccs care plan": reverse("ccs:care_plan_new", args=[case_a.pk]) in ccs,
            "service referral": reverse("referrals:outbound_new", args=[case_a.pk]) in ccs,
            "dmc-ods note": reverse("transitions:action", args=["case", dmc_case.pk, "note"]) in dmc,
            "task": reverse("case_task_add", args=[case_a.pk]) in ccs,
        }

    assert all(change_links(manager_a).values()), change_links(manager_a)
    assert not any(change_links(reader).values()), change_links(reader)
