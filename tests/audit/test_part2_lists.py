"""Lists that know their rows' programs mark Part 2 reads themselves, without the access log's lookup."""
import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from carecoord.audit.models import AccessEvent
from carecoord.clocks.services import deadline_start
from tests.factories import CaseFactory, MemberFactory

pytestmark = pytest.mark.django_db

LISTS = ["/", "/api/work-queue/", "/api/cases/"]


def _case_with_deadline(manager, *, program):
    case = CaseFactory(member=MemberFactory(), program=program, organization=manager.organization, team=manager.team,
                       primary_case_manager=manager)
    deadline_start(rule_code="all.part2_disclosure_list", subject=case, case=case,
                   started_at=timezone.now() - datetime.timedelta(days=1))
    return case


def _list_event(manager, url) -> AccessEvent:
    client = APIClient()
    client.force_login(manager)
    assert client.get(url).status_code == 200
    return AccessEvent.objects.filter(username=manager.username, action="list").latest("seq")


@pytest.mark.parametrize("url", LISTS)
def test_a_list_of_ccs_work_only_is_not_a_part2_read(manager_a, url):
    ccs = _case_with_deadline(manager_a, program="ccs")
    event = _list_event(manager_a, url)
    assert ccs.member_id in event.members
    assert event.part2 is False


@pytest.mark.parametrize("url", LISTS)
def test_a_list_showing_a_dmc_ods_case_is_a_part2_read(manager_a, url):
    _case_with_deadline(manager_a, program="ccs")
    sud = _case_with_deadline(manager_a, program="dmc_ods")
    event = _list_event(manager_a, url)
    assert sud.member_id in event.members
    assert event.part2 is True
