"""A plan submits a referral through the API; it lands in the county CCS program's intake queue."""
import pytest

from referrals.models import Referral
from tests.factories import CoverageFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_plan_referral_arrives_in_the_county_intake_queue(liaison_client, program_a, county_a, plan_x):
    # Given a member of plan X without a CCS case
    member = MemberFactory(county=county_a)
    CoverageFactory(member=member, plan=plan_x)
    # When the liaison refers the member to CCS
    response = liaison_client.post("/api/referrals/", {
        "member_cin": member.cin.lower(), "suspected_condition": "Congenital heart disease (Q21.0)",
        "reporter_name": "Pat Liaison", "external_reference": "VHP-1",
    }, format="json")
    # Then a received referral from the health plan sits with the county's CCS program, with a new referred case
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    assert (referral.direction, referral.source, referral.status) == ("inbound", "health_plan", "received")
    assert referral.organization == program_a and referral.source_organization == plan_x
    assert referral.case.status == "referred" and referral.case.organization == program_a
    assert body["receiving_program"] == {"id": program_a.pk, "name": program_a.name}
    assert body["external_reference"] == "VHP-1"
    # And the plan can follow it
    assert liaison_client.get(f"/api/referrals/{referral.pk}/").json()["status"] == "received"
    assert [r["id"] for r in liaison_client.get("/api/referrals/", {"external_reference": "VHP-1"}).json()["results"]] == [referral.pk]


def test_referral_for_a_member_of_another_plan_is_refused_and_writes_nothing(liaison_client, case_b):
    response = liaison_client.post("/api/referrals/", {"member_cin": case_b.member.cin, "suspected_condition": "x"},
                                   format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "member_cin", "rule": "referral.member_not_enrolled",
                                          "message": "No member enrolled in your plan has this CIN."}]
    assert not Referral.objects.exists()


def test_second_referral_is_flagged_as_possible_duplicate(liaison_client, case_a, program_a):
    payload = {"member_cin": case_a.member.cin, "suspected_condition": "Cerebral palsy (G80.1)"}
    first = liaison_client.post("/api/referrals/", payload, format="json").json()
    assert first["case"] == case_a.pk and first["possible_duplicate"] is True  # member already has an open CCS case
    assert "open CCS case" in first["duplicate_note"]


def test_missing_condition_names_the_field(liaison_client, case_a):
    response = liaison_client.post("/api/referrals/", {"member_cin": case_a.member.cin}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "suspected_condition"
