"""Access reports: who saw a member (Part 2 marked), what a user saw (unusual access
flagged), the per-member change history with field diffs, and list pages auditing every
member they show."""
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from carecoord.audit.access import record_access
from carecoord.audit.history import member_change_history
from carecoord.audit.models import AccessEvent
from carecoord.audit.reports import find_bursts, user_access_report
from carecoord.audit.services import break_glass_grant
from tests.factories import CaseFactory, MemberFactory, UserFactory


@pytest.fixture
def dmc_case(program_a, county_a, manager_a):
    member = MemberFactory(county=county_a, last_name="Partido")
    return CaseFactory(member=member, program="dmc_ods", organization=program_a, team=manager_a.team,
                       primary_case_manager=manager_a)


def test_a_part2_record_appears_in_the_access_report_when_viewed(client, dmc_case, manager_a, supervisor_a):
    # Given a case manager who opens a DMC-ODS (42 CFR Part 2) case
    client.force_login(manager_a)
    assert client.get(f"/cases/{dmc_case.pk}/").status_code == 200
    # When the supervisor reads the member's access report
    client.force_login(supervisor_a)
    response = client.get(f"/audit/members/{dmc_case.member_id}/")
    # Then the read is listed, by that user, marked Part 2
    assert response.status_code == 200
    report = response.context["report"]
    reads = [e for e in report.events if e.user_id == manager_a.pk]
    assert reads and all(e.part2 for e in reads)
    assert ["cases.case", dmc_case.pk] in reads[0].records
    body = response.content.decode()
    assert "manager_a" in body and "Part 2" in body
    assert any(p["username"] == "manager_a" and p["part2"] for p in report.people)


def test_a_ccs_read_is_not_marked_part2(client, case_a, manager_a):
    client.force_login(manager_a)
    client.get(f"/cases/{case_a.pk}/")
    assert not AccessEvent.objects.filter(user=manager_a, part2=True).exists()


def test_the_member_search_audits_every_member_it_shows(client, program_a, county_a, manager_a):
    # Given three members in the manager's caseload with the same surname, and one outside it
    shown = [CaseFactory(member=MemberFactory(county=county_a, last_name="Quintero"), organization=program_a,
                         team=manager_a.team).member for _ in range(3)]
    CaseFactory(member=MemberFactory(last_name="Quintero"))
    client.force_login(manager_a)
    # When the manager searches
    response = client.get("/members/", {"q": "Quintero"})
    # Then one list event names exactly the members on the page
    listed = {m.pk for m in response.context["members"]}
    assert listed == {m.pk for m in shown}
    event = AccessEvent.objects.get(user=manager_a, action="list")
    assert set(event.members) == listed
    assert event.path == "/members/" and event.method == "GET"


def test_the_user_report_flags_access_outside_the_caseload(client, case_a, case_b, manager_a, supervisor_a):
    # Given a manager who reads their own case and, by break-glass, another
    break_glass_grant(user=manager_a, case=case_b, reason="Emergency room call about this member")
    client.force_login(manager_a)
    client.get(f"/cases/{case_a.pk}/")
    client.get(f"/cases/{case_b.pk}/")
    # When their supervisor reviews them
    client.force_login(supervisor_a)
    response = client.get(f"/audit/users/{manager_a.pk}/")
    reads = {r.member_id: r for r in response.context["report"].members}
    # Then only the break-glass member is flagged outside the caseload, and (outside the
    # supervisor's own scope) it is shown by id, not name
    assert not reads[case_a.member_id].outside_caseload
    assert reads[case_b.member_id].outside_caseload
    body = response.content.decode()
    assert case_b.member.last_name not in body
    assert f"Member #{case_b.member_id}" in body
    assert "Outside caseload" in body


@override_settings(CARECOORD={**__import__("django.conf").conf.settings.CARECOORD, "AUDIT_BURST_MEMBERS": 3})
def test_the_user_report_flags_many_members_in_a_short_time(rf, program_a, county_a, manager_a, supervisor_a):
    cases = [CaseFactory(member=MemberFactory(county=county_a), organization=program_a, team=manager_a.team)
             for _ in range(5)]
    for case in cases:
        request = rf.get(f"/cases/{case.pk}/")
        request.user = manager_a
        record_access(request, members=[case.member], records=[case])
    now = timezone.now()
    report = user_access_report(subject=manager_a, start=now - timedelta(days=1), end=now + timedelta(minutes=1),
                                viewer=supervisor_a)
    assert report.bursts and report.bursts[0][2] == 5
    assert all(read.burst for read in report.members)
    assert not any(read.outside_caseload for read in report.members)


def test_find_bursts_ignores_slow_reading():
    start = timezone.now()
    reads = [(start + timedelta(minutes=30 * i), i) for i in range(10)]
    assert find_bursts(reads, limit=3, window=timedelta(minutes=60)) == ([], set())


def test_member_change_history_shows_who_changed_which_field(client, case_a, manager_a):
    # Given the manager closes the case on the case page
    client.force_login(manager_a)
    response = client.post(f"/cases/{case_a.pk}/status/", {"status": "closed", "closed_reason": "Moved away"})
    assert response.status_code in (200, 302)
    # When the member's change history is read
    changes = member_change_history(member=case_a.member)
    # Then the case change names the field, the old and new values, and who did it
    case_changes = [c for c in changes if c.model_label == "cases.case" and c.kind == "~"]
    status = [(c, d) for c in case_changes for d in c.changes if d.field == "status"]
    assert status, "the status change is in the member's history"
    change, diff = status[0]
    assert (str(diff.old), str(diff.new)) == ("Open", "Closed")
    assert change.user_id == manager_a.pk


def test_member_change_history_includes_related_records(case_a):
    labels = {c.model_label for c in member_change_history(member=case_a.member)}
    assert {"cases.member", "cases.coverage", "cases.case"} <= labels


def test_reports_are_for_supervisors_and_administrators(client, case_a, manager_a, liaison_x):
    for user in (manager_a, liaison_x):
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
        assert client.get(f"/audit/members/{case_a.member_id}/").status_code == 403


def test_a_supervisor_cannot_report_on_a_member_outside_their_scope(client, case_b, supervisor_a):
    client.force_login(supervisor_a)
    response = client.get(f"/audit/members/{case_b.member_id}/")
    assert response.status_code == 404
    assert case_b.member.last_name not in response.content.decode()


def test_an_administrator_reads_any_report(client, case_b):
    admin = UserFactory(role="administrator", team=None)
    client.force_login(admin)
    assert client.get(f"/audit/members/{case_b.member_id}/").status_code == 200
    assert client.get("/audit/", {"user": admin.username}).status_code == 302


def test_member_page_links_reviewers_to_the_access_report(client, case_a, manager_a, supervisor_a):
    client.force_login(manager_a)
    assert f"/audit/members/{case_a.member_id}/" not in client.get(f"/members/{case_a.member_id}/").content.decode()
    client.force_login(supervisor_a)
    page = client.get(f"/members/{case_a.member_id}/").content.decode()
    assert f"/audit/members/{case_a.member_id}/" in page
    assert "manager_a" in page  # the manager's earlier read is in the recent access list
