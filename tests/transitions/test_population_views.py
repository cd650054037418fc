"""Pages of Whole Child Model population transitions: create, preview before anything happens, confirm, the
dashboard with its progress partial (polled while a job is live), readiness refusal shown to the user."""

import pytest
from django.urls import reverse

from tests.factories import CaseFactory, CoverageFactory, MemberFactory
from tests.transitions.factories import transition_date_ahead
from transitions import population_services as svc
from transitions.population import BulkJob, PopulationTransition, PopulationTransitionMember


@pytest.fixture
def children(county_a, county_b, program_a, program_b, plan_x):
    made = []
    for county, program in ((county_a, program_a), (county_a, program_a), (county_b, program_b)):
        member = MemberFactory(county=county)
        CoverageFactory(member=member, plan=plan_x)
        made.append(CaseFactory(member=member, organization=program))
    return made


def test_supervisor_creates_previews_and_confirms(client, children, county_a, program_a, plan_x, supervisor_a):
    client.force_login(supervisor_a)
    # when the supervisor names the county, plan and date
    response = client.post(reverse("transitions:population_create"), {
        "name": "County A into the Whole Child Model", "county": county_a.pk, "county_program": program_a.pk,
        "plans": [plan_x.pk], "transition_date": transition_date_ahead().isoformat()})
    transition = PopulationTransition.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("transitions:population_detail", args=[transition.pk])
    # then the preview shows the two children of county A before anything happens
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and "2 children would move" in body
    assert children[0].member.full_name in body and children[2].member.full_name not in body
    assert not PopulationTransitionMember.objects.exists()
    # when they confirm, the dashboard shows the clocks and the bulk work buttons
    client.post(reverse("transitions:population_confirm", args=[transition.pk]))
    dashboard = client.get(reverse("transitions:population_detail", args=[transition.pk])).content.decode()
    assert PopulationTransitionMember.objects.count() == 2
    assert "CCS identification data to the plan" in dashboard and "Send the notices" in dashboard


def test_bad_date_is_shown_beside_the_field(client, children, county_a, program_a, plan_x, supervisor_a):
    client.force_login(supervisor_a)
    response = client.post(reverse("transitions:population_create"), {
        "name": "T", "county": county_a.pk, "county_program": program_a.pk, "plans": [plan_x.pk], "transition_date": "2020-01-01"})
    assert response.status_code == 200 and "The transition date must be in the future." in response.content.decode()
    assert not PopulationTransition.objects.exists()


def test_progress_partial_polls_while_a_job_is_live_and_stops_when_done(client, children, county_a, program_a, plan_x, supervisor_a):
    transition = svc.population_transition_create(name="T", county=county_a, county_program=program_a, plans=[plan_x],
                                                  transition_date=transition_date_ahead(), created_by=supervisor_a)
    transition = svc.population_transition_confirm(transition=transition, by=supervisor_a)
    client.force_login(supervisor_a)
    client.post(reverse("transitions:population_job_start", args=[transition.pk]), {"kind": "notices", "wave": "90"})
    job = BulkJob.objects.get()
    url = reverse("transitions:population_progress", args=[transition.pk])
    live = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in live and "<progress value=\"0\" max=\"2\">" in live and "<script" not in live
    svc.bulk_job_run(job.pk)
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done and "<progress value=\"2\" max=\"2\">" in done


def test_marking_ready_with_open_items_shows_the_refusal(client, children, county_a, program_a, plan_x, supervisor_a):
    transition = svc.population_transition_confirm(
        transition=svc.population_transition_create(name="T", county=county_a, county_program=program_a, plans=[plan_x],
                                                    transition_date=transition_date_ahead(), created_by=supervisor_a),
        by=supervisor_a)
    client.force_login(supervisor_a)
    response = client.post(reverse("transitions:population_ready", args=[transition.pk]), follow=True)
    assert "cannot be marked ready while 5 readiness item(s) are open" in response.content.decode()
    assert PopulationTransition.objects.get().status == "confirmed"


def test_a_case_manager_cannot_start_work_and_another_county_cannot_see_it(client, children, county_a, program_a, plan_x,
                                                                           supervisor_a, manager_a, program_b):
    from tests.factories import SupervisorFactory

    transition = svc.population_transition_create(name="T", county=county_a, county_program=program_a, plans=[plan_x],
                                                  transition_date=transition_date_ahead(), created_by=supervisor_a)
    client.force_login(manager_a)
    assert client.post(reverse("transitions:population_confirm", args=[transition.pk])).status_code == 403
    client.force_login(SupervisorFactory(organization=program_b))
    assert client.get(reverse("transitions:population_detail", args=[transition.pk])).status_code == 404


def test_every_page_of_a_running_transition_renders(client, children, county_a, program_a, plan_x, supervisor_a):
    transition = svc.population_transition_confirm(
        transition=svc.population_transition_create(name="T", county=county_a, county_program=program_a, plans=[plan_x],
                                                    transition_date=transition_date_ahead(), created_by=supervisor_a),
        by=supervisor_a)
    children[0].member.address_line1 = ""
    children[0].member.save()
    PopulationTransitionMember.objects.filter(case=children[0]).update(address_valid=False)
    for kind, wave in (("notices", "90"), ("continuity", ""), ("call_list", "")):
        svc.bulk_job_run(svc.bulk_job_start(transition=transition, kind=kind, wave=wave, by=supervisor_a).pk)
    client.force_login(supervisor_a)
    names = ["population_list", "population_detail", "population_members", "population_follow_up", "population_continuity",
             "population_calls", "population_faq", "population_readiness_add", "population_progress"]
    for name in names:
        args = [] if name == "population_list" else [transition.pk]
        response = client.get(reverse(f"transitions:{name}", args=args))
        assert response.status_code == 200, name
    follow_up = client.get(reverse("transitions:population_follow_up", args=[transition.pk])).content.decode()
    assert children[0].member.full_name in follow_up
    call = transition.members.get(case=children[1]).welcome_call
    assert client.get(reverse("transitions:population_call_record", args=[call.pk])).status_code == 200
    check = client.get(reverse("transitions:population_file_check", args=[transition.pk, "identification", plan_x.pk]))
    assert check.status_code == 200 and children[1].member.cin in check.content.decode()


def test_member_page_shows_the_childs_transition(client, children, county_a, program_a, plan_x, supervisor_a):
    transition = svc.population_transition_confirm(
        transition=svc.population_transition_create(name="County A moves", county=county_a, county_program=program_a, plans=[plan_x],
                                                    transition_date=transition_date_ahead(), created_by=supervisor_a),
        by=supervisor_a)
    svc.bulk_job_run(svc.bulk_job_start(transition=transition, kind="notices", wave="90", by=supervisor_a).pk)
    client.force_login(supervisor_a)
    body = client.get(reverse("member_detail", args=[children[0].member_id])).content.decode()
    assert "County A moves" in body and "90 days before" in body
