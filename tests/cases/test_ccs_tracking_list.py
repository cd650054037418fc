"""The plans' CCS tracking list: each plan sees only its members, exactly the memorandum's fields, as JSON and CSV."""
import csv
import datetime
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from carecoord.accounts.services import api_token_issue
from carecoord.audit.models import AccessEvent, AuditChainHead
from cases.ccs_models import EligibilityDetermination
from cases.ccs_selectors import TRACKING_FIELDS, ccs_tracking_list, tracking_row
from consents.models import Disclosure
from tests.conftest import audit_write_queries
from tests.factories import CaseFactory, CoverageFactory, LiaisonFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMORANDUM_FIELDS = {"name", "ccs_case_number", "date_of_birth", "ssn", "ccs_eligible_diagnoses", "date_of_eligibility",
                     "status", "reason_closed", "date_closed", "referral_source", "primary_care_provider"}


def bearer(user) -> APIClient:
    client = APIClient()
    _, raw = api_token_issue(user=user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def ccs_case(*, plan, program, county, pcp=None, **fields):
    member = MemberFactory(county=county, primary_care_provider=pcp, ssn=fields.pop("ssn", ""))
    CoverageFactory(member=member, plan=plan)
    return CaseFactory(member=member, organization=program, **fields)


@pytest.fixture
def two_plans(program_a, county_a, plan_x, plan_y, pcp):
    now = timezone.now()
    eligible_x = ccs_case(plan=plan_x, program=program_a, county=county_a, pcp=pcp, ssn="123-45-6789",
                          case_number="06001-2026-000001", diagnoses=["Q90.9", "E84.0"], eligibility_date=datetime.date(2026, 3, 1),
                          referral_source="provider")
    denied_x = ccs_case(plan=plan_x, program=program_a, county=county_a, status="closed", opened_at=None, closed_at=now,
                        closed_reason="Not eligible (medical): mild asthma", referral_source="family")
    EligibilityDetermination.objects.create(case=denied_x, kind="medical", outcome="not_eligible", reason="mild asthma",
                                            decided_at=now, decided_by=UserFactory(), other_resources_offered="FRC")
    pending_y = ccs_case(plan=plan_y, program=program_a, county=county_a, status="referred", opened_at=None)
    return {"eligible_x": eligible_x, "denied_x": denied_x, "pending_y": pending_y}


def test_each_plan_sees_only_its_members_with_exactly_the_memorandum_fields(two_plans, liaison_x, plan_y):
    # given plan X's liaison and plan Y's liaison
    liaison_y = LiaisonFactory(organization=plan_y)
    # when each pulls the tracking list through the API
    body_x = bearer(liaison_x).get("/api/tracking-list/").json()
    body_y = bearer(liaison_y).get("/api/tracking-list/").json()
    # then plan X sees its two children and plan Y its one, each row with exactly the memorandum's fields
    names_x = {row["name"] for row in body_x["results"]}
    assert names_x == {two_plans["eligible_x"].member.full_name, two_plans["denied_x"].member.full_name}
    assert [row["name"] for row in body_y["results"]] == [two_plans["pending_y"].member.full_name]
    for row in body_x["results"] + body_y["results"]:
        assert set(row) == MEMORANDUM_FIELDS
    eligible = next(r for r in body_x["results"] if r["status"] == "eligible")
    assert eligible["ssn"] == "***-**-6789"  # masked: the liaison is not entitled
    assert eligible["ccs_case_number"] == "06001-2026-000001" and eligible["ccs_eligible_diagnoses"] == ["Q90.9", "E84.0"]
    assert eligible["date_of_eligibility"] == "2026-03-01" and eligible["primary_care_provider"] == "Oak Family Medicine"
    assert eligible["referral_source"] == "Health care provider" and eligible["reason_closed"] is None
    denied = next(r for r in body_x["results"] if r["status"] == "denied")
    assert denied["reason_closed"].endswith("mild asthma") and denied["date_closed"] == timezone.localdate().isoformat()
    assert body_y["results"][0]["status"] == "pending"
    # and the reads are audited and the disclosures to each plan accounted for
    assert Disclosure.objects.filter(recipient=liaison_x.organization, rule="hipaa.tpo_own_plan").count() == 2
    assert Disclosure.objects.filter(recipient=plan_y).count() == 1
    assert AccessEvent.objects.filter(action="list", username=liaison_x.username).exists()


def test_entitled_caller_sees_full_ssn_and_filters_by_status_and_date(two_plans, liaison_x):
    liaison_x.may_see_full_identifiers = True
    liaison_x.save()
    client = bearer(liaison_x)
    rows = client.get("/api/tracking-list/", {"status": "eligible"}).json()["results"]
    assert [r["ssn"] for r in rows] == ["123-45-6789"]
    assert client.get("/api/tracking-list/", {"eligible_from": "2026-04-01"}).json()["results"] == []
    assert len(client.get("/api/tracking-list/", {"eligible_to": "2026-03-01"}).json()["results"]) == 1
    assert [r["status"] for r in client.get("/api/tracking-list/", {"status": "denied"}).json()["results"]] == ["denied"]
    bad = client.get("/api/tracking-list/", {"status": "lost"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"


def test_csv_export_streams_the_same_rows_for_the_callers_plan_only(two_plans, liaison_x):
    response = bearer(liaison_x).get("/api/tracking-list.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert set(rows[0]) == MEMORANDUM_FIELDS
    assert {r["name"] for r in rows} == {two_plans["eligible_x"].member.full_name, two_plans["denied_x"].member.full_name}
    assert {r["ssn"] for r in rows} == {"***-**-6789", ""}
    assert {r["ccs_eligible_diagnoses"] for r in rows} == {"Q90.9 E84.0", ""}  # in their order; none for the denial
    assert AccessEvent.objects.filter(action="export", username=liaison_x.username).exists()
    assert Disclosure.objects.filter(recipient=liaison_x.organization, channel="export").count() == 2


def test_csv_and_json_lists_agree_cell_for_cell(two_plans, liaison_x):
    # given plan X's two children, one eligible with diagnoses and an SSN, one denied and closed today
    client = bearer(liaison_x)
    # when the list is read as JSON and exported as CSV (the export reads its rows as tuples, the page as dicts)
    listed = client.get("/api/tracking-list/").json()["results"]
    exported = list(csv.DictReader(io.StringIO(b"".join(client.get("/api/tracking-list.csv").streaming_content).decode())))

    # then each CSV row says what the JSON row says, in the same order: the status words, the closing date,
    # the masked SSN, the referral source's label and the diagnoses in their order
    def as_csv(row: dict) -> dict:
        return {name: "" if value is None else " ".join(value) if isinstance(value, list) else str(value)
                for name, value in row.items()}

    assert [as_csv(row) for row in listed] == exported
    denied, eligible = exported  # newest first
    assert denied["status"] == "denied" and denied["date_closed"] == timezone.localdate().isoformat()
    assert denied["referral_source"] not in ("", "family")  # the label, not the stored value
    assert eligible["status"] == "eligible" and eligible["ccs_eligible_diagnoses"] == "Q90.9 E84.0"
    assert eligible["ssn"] == "***-**-6789" and eligible["date_closed"] == ""


def test_tracking_row_has_exactly_the_memorandum_fields(two_plans, liaison_x):
    rows = [tracking_row(v, full_identifiers=False) for v in ccs_tracking_list(user=liaison_x)]
    assert len(rows) == 2 and all(set(r) == MEMORANDUM_FIELDS for r in rows)
    assert set(TRACKING_FIELDS) == MEMORANDUM_FIELDS


def test_county_staff_name_the_plan_and_anonymous_callers_are_refused(two_plans, supervisor_a, plan_x):
    client = APIClient()
    assert client.get("/api/tracking-list/").status_code in (401, 403)
    client.force_authenticate(supervisor_a)
    assert client.get("/api/tracking-list/").status_code == 400
    rows = client.get("/api/tracking-list/", {"plan": plan_x.pk}).json()["results"]
    assert len(rows) == 2
    assert not Disclosure.objects.exists()  # the county's own staff disclose nothing


@pytest.mark.parametrize("size", [2, 20])
def test_query_count_is_constant_in_page_size(size, program_a, county_a, plan_x, pcp, liaison_x, django_assert_num_queries):
    for _ in range(size):
        ccs_case(plan=plan_x, program=program_a, county=county_a, pcp=pcp, diagnoses=["Q21.0"])
    client = bearer(liaison_x)
    # The access log's chain head, as migrations leave it (a flushed test database may lack it)
    AuditChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": ""})
    # token lookup and last-used stamp, the cases opened to the liaison one by one (visibility), ONE page
    # query; the accounting of disclosures (disclose_bulk: savepoint,
    # lock the members' consents, members, consents, coverages, one INSERT, release); the audit write (Part 2
    # check, then audit_write_queries())
    with django_assert_num_queries(12 + audit_write_queries()):
        response = client.get("/api/tracking-list/", {"page_size": size})
    assert len(response.json()["results"]) == size



def test_csv_cells_never_start_a_spreadsheet_formula(program_a, county_a, plan_x, liaison_x):
    # given a member whose name and closing reason begin with formula characters
    member = MemberFactory(county=county_a, first_name="=HYPERLINK(\"http://x\")", last_name="Reyes")
    CoverageFactory(member=member, plan=plan_x)
    CaseFactory(member=member, organization=program_a, status="closed", opened_at=None, closed_at=timezone.now(),
                closed_reason="+moved out of state")
    # when the list is exported
    body = b"".join(bearer(liaison_x).get("/api/tracking-list.csv").streaming_content).decode()
    row = next(csv.DictReader(io.StringIO(body)))
    # then those cells are quoted as text, and the plain ones are left as they are
    assert row["name"] == "'=HYPERLINK(\"http://x\") Reyes" and row["reason_closed"] == "'+moved out of state"
    assert row["status"] == "closed" and row["date_closed"] == timezone.localdate().isoformat()
