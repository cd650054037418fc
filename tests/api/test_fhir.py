"""FHIR R4 views: each resource type validates against the fhir.resources (R4B) models and follows plan scope."""
import datetime

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from cases.care_plans import care_plan_create, care_plan_goal_add, care_plan_intervention_add
from cases.services import care_team_add
from consents.models import ConsentKind
from notices.services import notice_create, notice_mark_delivered
from tests.api.conftest import bearer_client
from tests.consents.factories import make_consent
from tests.factories import LiaisonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(liaison_client, case_a, manager_a, plan_x, program_a):
    """One of each record about plan X's member, made through the services and the API."""
    member = case_a.member
    member.sex, member.phone, member.ssn = "F", "916-555-0134", "123-45-6789"
    member.save()
    care_team_add(case=case_a, role="sw", user=manager_a, organization=program_a)
    care_team_add(case=case_a, role="mcp_liaison", contact_name="Pat Liaison", organization=plan_x)
    care_plan = care_plan_create(case=case_a, title="CCS care plan", written_by=manager_a, summary="Needs cardiology")
    goal = care_plan_goal_add(care_plan=care_plan, description="See a cardiologist", domain="medical",
                              target_date=timezone.localdate() + datetime.timedelta(days=30))
    care_plan_intervention_add(goal=goal, description="Schedule the visit", owner=manager_a)
    referral = liaison_client.post("/api/referrals/", {"member_cin": member.cin, "suspected_condition": "Q21.0",
                                                       "external_reference": "VHP-9"}, format="json").json()
    consent = make_consent(ConsentKind.HIPAA_AUTHORIZATION, member=member, recorded_by=manager_a, recipients=[plan_x])
    notice = notice_create(kind="eligibility_outcome_to_plan", member=member, case=case_a, recipient_kind="plan",
                           recipient_org=plan_x, channel="portal", created_by=manager_a)
    notice_mark_delivered(notice=notice, by=manager_a)
    return {
        "Patient": member.pk, "Coverage": member.coverages.get().pk, "EpisodeOfCare": case_a.pk, "CareTeam": case_a.pk,
        "CarePlan": care_plan.pk, "ServiceRequest": referral["id"], "Task": referral["id"], "Consent": consent.pk,
        "Communication": notice.pk,
    }


@pytest.mark.parametrize("resource_type", ["Patient", "Coverage", "EpisodeOfCare", "CareTeam", "CarePlan",
                                           "ServiceRequest", "Task", "Consent", "Communication"])
def test_fhir_view_validates_and_is_plan_scoped(liaison_client, records, plan_y, resource_type):
    # When plan X's liaison reads the resource
    response = liaison_client.get(f"/api/fhir/{resource_type}/{records[resource_type]}")
    # Then it is a FHIR resource of that type that the library's model accepts
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == resource_type and body["id"] == str(records[resource_type])
    get_fhir_model_class(resource_type).model_validate(body)
    # And another plan's liaison gets 404
    other = bearer_client(LiaisonFactory(organization=plan_y))
    assert other.get(f"/api/fhir/{resource_type}/{records[resource_type]}").status_code == 404


def test_fhir_contents_map_our_records(liaison_client, records, case_a):
    patient = liaison_client.get(f"/api/fhir/Patient/{records['Patient']}").json()
    assert patient["identifier"][0]["value"] == case_a.member.cin and patient["gender"] == "female"
    assert "123-45-6789" not in str(patient)
    episode = liaison_client.get(f"/api/fhir/EpisodeOfCare/{case_a.pk}").json()
    assert episode["status"] == "active" and episode["patient"] == {"reference": f"Patient/{case_a.member_id}"}
    assert {"reference": f"ServiceRequest/{records['ServiceRequest']}"} in episode["referralRequest"]
    task = liaison_client.get(f"/api/fhir/Task/{records['Task']}").json()
    assert task["status"] == "received" and task["focus"] == {"reference": f"ServiceRequest/{records['Task']}"}
    plan = liaison_client.get(f"/api/fhir/CarePlan/{records['CarePlan']}").json()
    assert plan["contained"][0]["resourceType"] == "Goal"
    assert plan["activity"][0]["detail"]["goal"] == [{"reference": f"#{plan['contained'][0]['id']}"}]
    team = liaison_client.get(f"/api/fhir/CareTeam/{case_a.pk}").json()
    assert {p["member"]["display"] for p in team["participant"]} >= {"Pat Liaison"}


def test_fhir_unknown_or_malformed_id_is_404_in_the_error_shape(liaison_client, records):
    for path in ("/api/fhir/Patient/999999", "/api/fhir/Patient/abc", "/api/fhir/Task/99999999999999999999999"):
        response = liaison_client.get(path)
        assert response.status_code == 404
        assert response.json()["errors"][0]["rule"] == "not_found"


def test_fhir_plain_json_on_request(liaison_client, records):
    response = liaison_client.get(f"/api/fhir/Patient/{records['Patient']}", HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("application/json")
