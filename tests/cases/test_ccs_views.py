"""The CCS pages as a nurse, a medical consultant and a plan liaison use them, through the real URLs."""
import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from carecoord.accounts.services import api_token_issue
from cases.ccs_models import ServiceAuthorization
from cases.models import Case, Member
from notices.models import Notice
from referrals.models import Referral
from tests.cases.ccs_support import consent_for_primary_care, exe, pdf

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_phone_referral_to_authorized_service_and_the_plans_tracking_list(
        manager_a, consultant_a, liaison_x, program_a, county_a, plan_x, pcp, pulmonologist, ccs_notice_templates):
    nurse = login(manager_a)
    today = timezone.localdate().isoformat()
    # a nurse takes a phone referral for a new child and attaches a report
    assert nurse.get("/ccs/intake/").status_code == 200
    response = nurse.post("/ccs/intake/", {
        "first_name": "Ana", "last_name": "Reyes", "date_of_birth": "2018-05-04", "cin": "93456789B", "county": county_a.pk,
        "source": "provider", "source_organization": pcp.pk, "reporter_name": "Dr. Oak", "suspected_condition": "Cystic fibrosis",
        "urgency": "routine", "referred_on": today, "documents": [pdf("sweat-test.pdf")],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(member__cin="93456789B")
    member = case.member
    member.primary_care_provider = pcp
    member.save()
    from tests.factories import CoverageFactory

    CoverageFactory(member=member, plan=plan_x)
    consent_for_primary_care(member, recorded_by=manager_a)
    assert nurse.get(response["Location"]).status_code == 200  # the case page with the eligibility tab
    assert b"Cystic fibrosis" in nurse.get("/referrals/").content  # the intake queue
    # marks the documentation adequate and records residential and financial eligibility
    assert nurse.post(f"/ccs/cases/{case.pk}/documentation-adequate/", {"received_on": today}).status_code == 302
    for kind in ("residential", "financial"):
        r = nurse.post(f"/ccs/cases/{case.pk}/eligibility/", {"kind": kind, "outcome": "eligible", "decided_on": today,
                                                             "reason": "Verified"})
        assert r.status_code == 302, r.content.decode()[:1500]
    # the nurse cannot decide medical eligibility
    r = nurse.post(f"/ccs/cases/{case.pk}/eligibility/", {"kind": "medical", "outcome": "eligible", "decided_on": today,
                                                         "reason": "x", "diagnoses": "E84.0"})
    assert r.status_code == 400
    # the medical consultant decides; a bad code is shown next to the field
    consultant = login(consultant_a)
    r = consultant.post(f"/ccs/cases/{case.pk}/eligibility/", {"kind": "medical", "outcome": "eligible", "decided_on": today,
                                                              "reason": "Sweat chloride 80", "diagnoses": "E84.0 CF"})
    assert r.status_code == 400 and b"CF is not an ICD-10-CM code" in r.content
    r = consultant.post(f"/ccs/cases/{case.pk}/eligibility/", {"kind": "medical", "outcome": "eligible", "decided_on": today,
                                                              "reason": "Sweat chloride 80", "diagnoses": "E84.0"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "open" and case.diagnoses == ["E84.0"]
    assert set(Notice.objects.filter(case=case).values_list("recipient_kind", flat=True)) == {"provider", "plan", "family"}
    # a SAR is requested and approved
    r = nurse.post(f"/ccs/cases/{case.pk}/authorizations/new/", {"service": "Pulmonology visit", "provider": pulmonologist.pk,
                                                                 "start_date": today, "end_date": today, "received_on": today})
    assert r.status_code == 302, r.content.decode()[:1500]
    sar = ServiceAuthorization.objects.get(case=case)
    r = consultant.post(f"/ccs/cases/{case.pk}/authorizations/{sar.pk}/decide/", {"decision": "approved",
                                                                                  "medical_necessity_review": "CF care"})
    assert r.status_code == 302
    sar.refresh_from_db()
    assert sar.decision == "approved"
    page = nurse.get(f"/cases/{case.pk}/?tab=authorizations")
    assert b"Pulmonology visit" in page.content
    # the plan liaison's API call returns the member on the tracking list
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer " + api_token_issue(user=liaison_x, name="t")[1])
    rows = api.get("/api/tracking-list/").json()["results"]
    assert [(r["name"], r["status"], r["ccs_case_number"]) for r in rows] == [("Ana Reyes", "eligible", case.case_number)]


def test_disallowed_upload_on_the_intake_form_is_shown_and_nothing_written(manager_a, county_a):
    nurse = login(manager_a)
    r = nurse.post("/ccs/intake/", {
        "first_name": "Leo", "last_name": "Kim", "date_of_birth": "2017-01-01", "cin": "93456780C", "county": county_a.pk,
        "source": "family", "suspected_condition": "Scoliosis", "urgency": "routine",
        "referred_on": timezone.localdate().isoformat(), "documents": [exe("xray.pdf")]})
    assert r.status_code == 400 and b"Only PDF, PNG, JPEG or TIFF files can be attached." in r.content
    assert not Member.objects.filter(cin="93456780C").exists() and not Referral.objects.exists()


def test_plan_liaison_cannot_record_eligibility_and_pages_render(liaison_x, case_a, supervisor_a, plan_x):
    liaison = login(liaison_x)
    assert liaison.get(f"/ccs/cases/{case_a.pk}/eligibility/").status_code == 403
    assert liaison.get("/ccs/tracking-list/").status_code == 200
    staff = login(supervisor_a)
    for url in ("/ccs/problems/", "/ccs/liaison-meetings/", f"/ccs/tracking-list/?plan={plan_x.pk}", "/ccs/authorizations/",
                f"/cases/{case_a.pk}/?tab=care_plan", f"/cases/{case_a.pk}/?tab=referrals", "/referrals/?show=all"):
        assert staff.get(url).status_code == 200, url
