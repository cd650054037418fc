"""ECM plan API: the plan's liaison lists its members' ECM enrollments and records the authorization
decision that ends the presumptive window; other plans see nothing."""
import datetime

from django.urls import reverse
from django.utils import timezone

from carecoord.clocks.models import Deadline
from cases import ecm_services as ecm
from tests.cases.ecm_support import signed_release, verbal_consent
from tests.factories import CoverageFactory, LiaisonFactory


def _presumptively_enrolled(world):
    case, manager = world["case"], world["manager"]
    CoverageFactory(member=case.member, plan=world["plan_x"])
    verbal_consent(world)
    enrollment = ecm.ecm_referral_make(case=case, referrer="sw", recipient=world["provider"], actor=manager)
    signed_release(world)
    ecm.ecm_prior_services_check(enrollment=enrollment, prior_ecm=False, prior_community_supports=False, actor=manager)
    return ecm.ecm_authorization_start(enrollment=enrollment, presumptive=True, actor=manager)


def test_plan_liaison_lists_enrollments_and_records_the_decision(client, ecm_world):
    enrollment = _presumptively_enrolled(ecm_world)
    client.force_login(LiaisonFactory(organization=ecm_world["plan_x"], username="liaison_valley"))
    response = client.get(reverse("api-ecm-enrollments"))
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == enrollment.pk and row["mcp_decision"] == "pending" and row["presumptive_window_ends"]
    url = reverse("api-ecm-enrollment-decision", args=[enrollment.pk])
    assert client.post(url, {"decision": "maybe"}, content_type="application/json").status_code == 400
    response = client.post(url, {"decision": "authorized"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["mcp_decision"] == "authorized"
    assert Deadline.objects.get(rule_code="ecm.presumptive_authorization").status == "met_on_time"
    again = client.post(url, {"decision": "authorized"}, content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"][0]["rule"] == "ecm.mcp_decided"


def test_another_plan_sees_no_enrollment_and_cannot_decide(client, ecm_world):
    enrollment = _presumptively_enrolled(ecm_world)
    client.force_login(LiaisonFactory(organization=ecm_world["plan_y"], username="liaison_golden"))
    assert client.get(reverse("api-ecm-enrollments")).json()["results"] == []
    response = client.post(reverse("api-ecm-enrollment-decision", args=[enrollment.pk]), {"decision": "denied"},
                           content_type="application/json")
    assert response.status_code == 404
    assert Deadline.objects.get(rule_code="ecm.presumptive_authorization").status == "open"
    assert timezone.now() < Deadline.objects.get(rule_code="ecm.presumptive_authorization").due_at <= \
        timezone.now() + datetime.timedelta(days=31)


def test_a_worker_the_case_was_only_shared_with_cannot_record_the_plans_decision(client, ecm_world):
    from cases.services import case_share
    from tests.factories import OrganizationFactory, UserFactory

    # Given a presumptive enrollment, and a worker of another organization the case was shared with to read
    enrollment = _presumptively_enrolled(ecm_world)
    reader = UserFactory(organization=OrganizationFactory(name="Yolo County CCS"))
    case_share(case=ecm_world["case"], user=reader, reason="Transfer between counties")
    client.force_login(reader)

    # When they record an authorization, Then it is refused with the reason and the window still runs
    response = client.post(reverse("api-ecm-enrollment-decision", args=[enrollment.pk]), {"decision": "authorized"},
                           content_type="application/json")
    assert response.status_code == 403
    assert "responsible for the case" in response.content.decode()
    assert Deadline.objects.get(rule_code="ecm.presumptive_authorization").status == "open"
    # While the ECM provider's own case manager may record what the plan told them
    client.force_login(ecm_world["manager"])
    response = client.post(reverse("api-ecm-enrollment-decision", args=[enrollment.pk]), {"decision": "authorized"},
                           content_type="application/json")
    assert response.status_code == 200


def test_another_plans_liaison_the_case_was_shared_with_cannot_record_the_plans_decision(client, ecm_world):
    from cases.services import case_share

    # Given a presumptive enrollment of a plan X member, and plan Y's liaison who was let read the case
    enrollment = _presumptively_enrolled(ecm_world)
    other_plan = LiaisonFactory(organization=ecm_world["plan_y"], username="liaison_y")
    case_share(case=ecm_world["case"], user=other_plan, reason="Coordination")
    client.force_login(other_plan)
    # When plan Y records a denial (which would end ECM), Then it is refused with the reason and nothing changes
    response = client.post(reverse("api-ecm-enrollment-decision", args=[enrollment.pk]), {"decision": "denied"},
                           content_type="application/json")
    assert response.status_code == 403 and "member's health plan" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.mcp_decision == "pending"
    assert Deadline.objects.get(rule_code="ecm.presumptive_authorization").status == "open"
