"""ECM pages in the browser: the tab on the case page, short forms with errors next to the field, and the
ECM care manager's queue showing the assessment deadline."""
import datetime

from django.urls import reverse
from django.utils import timezone

from cases import ecm_services as ecm
from cases.ecm_models import CftMeeting, EcmEnrollment, PlacementMove, PlanSelection
from tests.cases.ecm_support import signed_release, verbal_consent


def _login(client, world):
    client.force_login(world["manager"])


def test_case_page_shows_the_ecm_tab_with_the_population_of_focus_in_words(client, ecm_world):
    _login(client, ecm_world)
    case = ecm_world["case"]
    response = client.get(reverse("case_detail", args=[case.pk]) + "?tab=ecm")
    assert response.status_code == 200
    body = response.content.decode()
    assert "ECM pathway" in body and "currently receiving foster care in California" in body
    assert reverse("ecm:pathway", args=[case.pk]) in body


def test_plan_selection_form_shows_the_ten_day_error_next_to_the_activation_date(client, ecm_world):
    _login(client, ecm_world)
    case, url = ecm_world["case"], reverse("ecm:plan_selection", args=[ecm_world["case"].pk])
    assert client.get(url).status_code == 200
    data = {"meds_status": "enrolled", "choice": "mcp", "plan": ecm_world["plan_x"].pk, "participants": ["ew", "sw", "youth"],
            "activation_date": (timezone.localdate() + datetime.timedelta(days=9)).isoformat()}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "at least 10 days" in response.context["form"].errors["activation_date"][0]
    assert not PlanSelection.objects.exists()
    data["activation_date"] = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.post(url, data)
    assert response.status_code == 302 and PlanSelection.objects.get(case=case).noa is not None


def test_referral_page_refuses_without_consent_and_sends_with_it(client, ecm_world):
    _login(client, ecm_world)
    url = reverse("ecm:referral", args=[ecm_world["case"].pk])
    data = {"referrer": "sw", "recipient": ecm_world["provider"].pk, "reason": "Dental and therapy"}
    response = client.post(url, data)
    assert response.status_code == 400 and "verbal consent" in str(response.context["form"].non_field_errors())
    verbal_consent(ecm_world)
    assert client.post(url, data).status_code == 302
    assert EcmEnrollment.objects.get(case=ecm_world["case"]).referral.status == "sent"


def test_assessment_deadline_shows_in_the_ecm_care_managers_queue(client, ecm_world):
    case, manager = ecm_world["case"], ecm_world["manager"]
    ecm.plan_selection_record(case=case, meds_status="enrolled", choice="mcp", plan=ecm_world["plan_x"],
                              activation_date=timezone.localdate() + datetime.timedelta(days=10), participants=["ew"], actor=manager)
    verbal_consent(ecm_world)
    enrollment = ecm.ecm_referral_make(case=case, referrer="sw", recipient=ecm_world["provider"], actor=manager)
    signed_release(ecm_world)
    ecm.ecm_prior_services_check(enrollment=enrollment, prior_ecm=False, prior_community_supports=False, actor=manager)
    ecm.ecm_authorization_start(enrollment=enrollment, presumptive=True, actor=manager)
    _login(client, ecm_world)
    body = client.get(reverse("home")).content.decode()
    assert "ECM assessment" in body and case.member.last_name in body


def test_cft_meeting_pages_schedule_hold_and_make_tasks(client, ecm_world):
    _login(client, ecm_world)
    case = ecm_world["case"]
    when = timezone.localtime(timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("ecm:cft_schedule", args=[case.pk]),
                           {"scheduled_for": when, "participants": ["sw", "tribal_representative"], "cans_status": "initiated"})
    assert response.status_code == 400 and response.context["form"].errors["tribal_representative_chosen"]
    response = client.post(reverse("ecm:cft_schedule", args=[case.pk]),
                           {"scheduled_for": when, "participants": ["sw", "tribal_representative"], "cans_status": "initiated",
                            "tribal_representative_chosen": "on"})
    assert response.status_code == 302
    meeting = CftMeeting.objects.get(case=case)
    response = client.post(reverse("ecm:cft_hold", args=[case.pk, meeting.pk]),
                           {"held_at": when, "cans_status": "completed", "notes": "Plan agreed",
                            "action_items": "Book dental exam\nEnroll in tutoring"})
    assert response.status_code == 302
    assert sorted(case.tasks.values_list("title", flat=True)) == ["Book dental exam", "Enroll in tutoring"]


def test_move_page_records_the_move_and_lists_its_steps(client, ecm_world):
    _login(client, ecm_world)
    case = ecm_world["case"]
    response = client.post(reverse("ecm:move", args=[case.pk]),
                           {"to_county": ecm_world["cohs"].pk,
                            "moved_at": timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    move = PlacementMove.objects.get(case=case)
    body = client.get(reverse("case_detail", args=[case.pk]) + "?tab=ecm").content.decode()
    assert reverse("ecm:move_meds", args=[case.pk, move.pk]) in body


def test_another_organizations_user_gets_404(client, ecm_world):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="stranger"))
    assert client.get(reverse("ecm:plan_selection", args=[ecm_world["case"].pk])).status_code == 404


def test_a_meeting_or_move_of_another_case_is_not_found(client, ecm_world):
    from tests.cases.ecm_support import cohs_member_case

    other = cohs_member_case(ecm_world)
    meeting = ecm.cft_meeting_schedule(case=other, scheduled_for=timezone.now(), participants=["sw"], actor=ecm_world["manager"])
    move = ecm.placement_move_record(case=other, to_county=ecm_world["multi"], moved_at=timezone.now(), actor=ecm_world["manager"])
    _login(client, ecm_world)
    case = ecm_world["case"]
    assert client.get(reverse("ecm:cft_hold", args=[case.pk, meeting.pk])).status_code == 404
    assert client.get(reverse("ecm:move_plan", args=[case.pk, move.pk])).status_code == 404
    assert client.get(reverse("ecm:move_plan", args=[other.pk, move.pk])).status_code == 200
