"""The pages of transitions of care, walked as a primary case manager would; the API, plan-scoped."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from carecoord.accounts.services import api_token_issue
from carecoord.clocks.models import Deadline
from tests.factories import LiaisonFactory, PlanFactory, UserFactory
from transitions import services as svc
from transitions.models import CareTransition, PlanNotification, SettingEpisode

from .factories import DmcWorld


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def world(county_a):
    return DmcWorld(county=county_a)


@pytest.fixture
def case(world):
    return world.member_case(status="open")


def act(client, target, pk, name, data):
    return client.post(reverse("transitions:action", args=[target, pk, name]), data)


@pytest.mark.django_db
def test_case_manager_moves_member_from_residential_to_outpatient_in_the_browser(client, world, case):
    # Given the primary case manager, a member in residential care and a coordinated care consent
    world.coordinated_consent(case.member)
    client.force_login(world.manager)
    response = act(client, "case", case.pk, "admit", {"setting": "residential", "provider": world.residential.pk,
                                                       "asam_level": "3.5", "admitted_at": local(ago(days=20))})
    assert response.status_code == 302
    stay = SettingEpisode.objects.get(case=case)
    assert act(client, "episode", stay.pk, "notify-plan", {
        "event": "admission", "channel": "phone", "person_reached": "J. Kim", "notified_at": local(ago(days=20) + datetime.timedelta(hours=2)),
    }).status_code == 302

    # When they start the transition and walk its steps through the forms
    response = act(client, "case", case.pk, "transition-open", {
        "kind": "setting_change", "event_at": local(ago(days=5)), "to_setting": "outpatient", "to_asam_level": "1.0",
        "recipient_organization": world.outpatient.pk, "reasons": "Ready to step down"})
    assert response.status_code == 302
    transition = CareTransition.objects.get(case=case)
    page = client.get(reverse("transitions:detail", args=[transition.pk]))
    assert page.status_code == 200 and "Member told of the referral" in page.content.decode()
    act(client, "transition", transition.pk, "transition-step", {"step": "member_informed", "at": local(ago(days=5))})
    packet = client.post(reverse("transitions:packet", args=[transition.pk]))
    assert packet.status_code == 200 and packet["Content-Type"] == "application/pdf" and packet.content.startswith(b"%PDF")
    for data in ({"step": "packet_sent", "at": local(ago(days=4)), "channel": "secure_email"},
                 {"step": "services_scheduled", "at": local(ago(days=4)), "appointment_at": local(ago(days=1))},
                 {"step": "warm_handoff", "at": local(ago(days=4)), "note": "Joint call"},
                 {"step": "previous_setting_closed", "at": local(ago(days=2))},
                 {"step": "discharge_summary_sent", "at": local(ago(days=2)), "channel": "fax"},
                 {"step": "appointment_attended", "at": local(ago(days=1))}):
        assert act(client, "transition", transition.pk, "transition-step", data).status_code == 302, data
    stay.refresh_from_db()
    assert act(client, "episode", stay.pk, "notify-plan", {
        "event": "discharge", "channel": "secure_email", "person_reached": "J. Kim", "notified_at": local(ago(days=2))}).status_code == 302
    assert act(client, "transition", transition.pk, "transition-close", {"at": local(ago(hours=1))}).status_code == 302

    # Then the plan notifications and the new setting's confirmation are recorded and the loop is closed
    transition.refresh_from_db()
    assert transition.status == "closed"
    assert set(PlanNotification.objects.values_list("event", flat=True)) == {"admission", "discharge"}
    assert transition.steps.filter(step="appointment_attended", by=world.manager).exists()
    assert set(Deadline.objects.filter(case=case, rule_code__in=["dmc.mcp_residential_notice", "dmc.transition_first_appointment",
                                                                "all.post_discharge_follow_up"]).values_list("status", flat=True)) == {"met_on_time"}
    # and the case page's tab shows it
    section = client.get(reverse("transitions:case", args=[case.pk])).content.decode()
    assert "Transitions of care" in section and "Harbor Outpatient Recovery" in section


@pytest.mark.django_db
def test_form_errors_appear_next_to_the_field_and_nothing_is_written(client, world, case):
    client.force_login(world.manager)
    stay = svc.setting_admit(case=case, setting="residential", admitted_at=ago(hours=5), actor=world.manager,
                             provider=world.residential)
    # A blank required field: the form says so on the field
    response = act(client, "episode", stay.pk, "notify-plan", {"event": "admission", "channel": "fax", "person_reached": "",
                                                               "notified_at": local(ago(hours=1))})
    assert response.status_code == 400
    assert response.context["form"].errors["person_reached"]
    # A rule broken in the service (no consent covers the plan): the message names it on the form
    response = act(client, "episode", stay.pk, "notify-plan", {"event": "admission", "channel": "fax", "person_reached": "Desk",
                                                               "notified_at": local(ago(hours=1))})
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert not PlanNotification.objects.exists()
    # A transition to nowhere: the error is on the recipient
    response = act(client, "case", case.pk, "transition-open", {"kind": "setting_change", "event_at": local(ago(hours=1)),
                                                                "to_setting": "outpatient", "reasons": "x"})
    assert response.status_code == 400 and response.context["form"].errors["recipient_organization"]
    assert not CareTransition.objects.exists()


@pytest.mark.django_db
def test_packet_refused_in_the_browser_without_consent(client, world, case):
    client.force_login(world.manager)
    tr = svc.transition_open(case=case, kind="level_of_care", event_at=ago(hours=3), actor=world.manager, to_asam_level="2.1",
                             recipient_organization=world.outpatient, reasons="Needs IOP")
    response = client.post(reverse("transitions:packet", args=[tr.pk]), follow=True)
    assert response.redirect_chain and "application/pdf" not in response["Content-Type"]
    assert any("consent" in str(m).lower() or "covered" in str(m).lower() or "no " in str(m).lower()
               for m in response.context["messages"])


@pytest.mark.django_db
def test_other_organizations_cannot_see_or_act_on_the_transition(client, world, case, program_b):
    tr = svc.transition_open(case=case, kind="level_of_care", event_at=ago(days=9), actor=world.manager, to_asam_level="2.1",
                             recipient_contact="IOP intake", reasons="Needs IOP")
    outsider = UserFactory(organization=program_b)
    client.force_login(outsider)
    assert client.get(reverse("transitions:detail", args=[tr.pk])).status_code == 404
    assert act(client, "transition", tr.pk, "transition-step", {"step": "member_informed", "at": local(ago(hours=1))}).status_code == 404
    assert "IOP" not in client.get(reverse("transitions:stalled")).content.decode()
    client.force_login(world.manager)
    stalled = client.get(reverse("transitions:stalled"))
    assert case.member.full_name in stalled.content.decode()


@pytest.mark.django_db
def test_residential_page_lists_overdue_notice(client, world, case):
    svc.setting_admit(case=case, setting="residential", admitted_at=ago(hours=30), actor=world.manager, provider=world.residential)
    client.force_login(world.manager)
    body = client.get(reverse("transitions:residential")).content.decode()
    assert case.member.full_name in body and "Overdue" in body


# --------------------------------------------------------------------------- API


def bearer(user):
    _token, raw = api_token_issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_api_residential_notifications_are_plan_scoped(client, world, case, django_assert_num_queries):
    world.coordinated_consent(case.member)
    stay = svc.setting_admit(case=case, setting="residential", admitted_at=ago(hours=5), actor=world.manager,
                             provider=world.residential)
    # A county case manager records the notification through the API
    url = reverse("api-residential-stay-notify", args=[stay.pk])
    bad = client.post(url, {"event": "admission", "channel": "carrier pigeon", "person_reached": "x",
                            "notified_at": ago(hours=1).isoformat()}, content_type="application/json", **bearer(world.manager))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "channel"
    ok = client.post(url, {"event": "admission", "channel": "phone", "person_reached": "J. Kim",
                           "notified_at": ago(hours=1).isoformat()}, content_type="application/json", **bearer(world.manager))
    assert ok.status_code == 201 and ok.json()["plan"] == str(world.plan)
    # The member's plan sees it; another plan does not
    liaison = LiaisonFactory(organization=world.plan)
    other = LiaisonFactory(organization=PlanFactory(name="Other plan"))
    listed = client.get(reverse("api-residential-notifications"), **bearer(liaison))
    assert listed.status_code == 200 and [n["person_reached"] for n in listed.json()["results"]] == ["J. Kim"]
    assert client.get(reverse("api-residential-notifications"), **bearer(other)).json()["results"] == []
    # Liaisons do not record notifications
    again = client.post(url, {"event": "discharge", "channel": "phone", "person_reached": "x",
                              "notified_at": ago(hours=1).isoformat()}, content_type="application/json", **bearer(liaison))
    assert again.status_code == 403


@pytest.mark.django_db
def test_api_a_worker_the_case_was_only_shared_with_records_no_plan_notification(client, world, case):
    from cases.services import case_share
    from tests.factories import OrganizationFactory

    world.coordinated_consent(case.member)
    stay = svc.setting_admit(case=case, setting="residential", admitted_at=ago(hours=5), actor=world.manager,
                             provider=world.residential)
    reader = UserFactory(organization=OrganizationFactory(name="Yolo County DMC-ODS"))
    case_share(case=case, user=reader, reason="Transfer between counties")

    response = client.post(reverse("api-residential-stay-notify", args=[stay.pk]),
                           {"event": "admission", "channel": "phone", "person_reached": "J. Kim",
                            "notified_at": ago(hours=1).isoformat()}, content_type="application/json", **bearer(reader))

    assert response.status_code == 403
    assert "responsible for the case" in response.json()["errors"][0]["message"]
    assert not PlanNotification.objects.exists()


@pytest.mark.django_db
def test_api_transitions_list_pins_queries_and_hides_part2_without_consent(client, world, django_assert_num_queries):
    cases = [world.member_case(status="open") for _ in range(3)]
    for c in cases:
        tr = svc.transition_open(case=c, kind="level_of_care", event_at=ago(hours=3), actor=world.manager, to_asam_level="2.1",
                                 recipient_organization=world.outpatient, reasons="Needs IOP")
        svc.transition_step_record(transition=tr, step="member_informed", at=ago(hours=2), by=world.manager)
    headers = bearer(world.manager)
    client.get(reverse("api-transitions"), **headers)  # warm the token cache paths
    with django_assert_num_queries(12, exact=False) as ctx:
        response = client.get(reverse("api-transitions"), **headers)
    assert response.status_code == 200 and len(response.json()["results"]) == 3
    first_count = len(ctx.captured_queries)
    for c in [world.member_case(status="open") for _ in range(3)]:
        svc.transition_open(case=c, kind="level_of_care", event_at=ago(hours=3), actor=world.manager, to_asam_level="2.1",
                            recipient_organization=world.outpatient, reasons="Needs IOP")
    with django_assert_num_queries(first_count):
        assert len(client.get(reverse("api-transitions"), **headers).json()["results"]) == 6
    steps = client.get(reverse("api-transitions"), **headers).json()["results"][-1]["steps"]
    assert [s["step"] for s in steps] == ["opened", "member_informed"]
    # The plan sees DMC-ODS transitions only for members whose Part 2 consent names the plan
    liaison = LiaisonFactory(organization=world.plan)
    assert client.get(reverse("api-transitions"), **bearer(liaison)).json()["results"] == []
    world.coordinated_consent(cases[0].member)
    shown = client.get(reverse("api-transitions"), **bearer(liaison)).json()["results"]
    assert [t["member"] for t in shown] == [cases[0].member_id]


@pytest.mark.django_db
def test_case_page_shows_the_transitions_tab_with_dmc_coordination(client, world, case):
    svc.problem_item_add(case=case, title="Unstable housing", actor=world.manager)
    svc.crisis_record(case=case, at=ago(hours=2), description="Relapse", recorded_by=world.manager)
    client.force_login(world.manager)
    response = client.get(reverse("case_detail", args=[case.pk]), {"tab": "transitions"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Transitions of care" in body and "Unstable housing" in body and "Crisis: 24 hours" in body
    assert reverse("transitions:action", args=["case", case.pk, "transition-open"]) in body


@pytest.mark.django_db
def test_adult_transition_page_lists_ccs_members_of_age_and_prefills_the_kind(client, county_a, program_a, manager_a):
    from tests.factories import CaseFactory, MemberFactory
    today = timezone.localdate()
    teen = CaseFactory(member=MemberFactory(county=county_a, date_of_birth=today.replace(year=today.year - 16)),
                       organization=program_a, team=manager_a.team, primary_case_manager=manager_a)
    child = CaseFactory(member=MemberFactory(county=county_a, date_of_birth=today.replace(year=today.year - 9)),
                        organization=program_a, team=manager_a.team, primary_case_manager=manager_a)
    client.force_login(manager_a)
    body = client.get(reverse("transitions:adult_due")).content.decode()
    assert teen.member.full_name in body and child.member.full_name not in body
    form = client.get(reverse("transitions:action", args=["case", teen.pk, "transition-open"]), {"kind": "pediatric_to_adult"})
    assert form.context["form"]["kind"].value() == "pediatric_to_adult"


@pytest.mark.django_db
def test_plan_liaison_sees_the_dmc_tab_only_under_a_part2_consent_naming_the_plan(world, case):
    from transitions.selectors import case_section_context
    svc.problem_item_add(case=case, title="Unstable housing", actor=world.manager)
    liaison = LiaisonFactory(organization=world.plan)
    assert case_section_context(case, liaison) == {"part2_hidden": True, "is_dmc": True, "transitions": [], "episodes": []}
    world.coordinated_consent(case.member)
    assert [p.title for p in case_section_context(case, liaison)["problems"]] == ["Unstable housing"]
