"""Members and cases through the API: plan scope (404, never listed), query counts, ETag/If-Match."""
import pytest

from cases.models import Member, TimelineEntry
from tests.api.conftest import bearer_client
from tests.conftest import audit_write_queries
from tests.factories import CaseFactory, CoverageFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_liaison_gets_404_for_another_plans_member_and_never_sees_it_in_a_list(liaison_client, case_a, case_b):
    # Given a member of plan X (case_a) and a member of plan Y (case_b)
    # When plan X's liaison reads plan Y's member and case
    member_y = liaison_client.get(f"/api/members/{case_b.member_id}/")
    case_y = liaison_client.get(f"/api/cases/{case_b.pk}/")
    # Then both are 404 in the error shape, like a record that does not exist
    assert member_y.status_code == 404
    assert member_y.json() == {"errors": [{"field": "__all__", "rule": "not_found", "message": "Not found."}]}
    assert case_y.status_code == 404
    assert liaison_client.get("/api/members/999999/").json() == member_y.json()
    # And the lists hold plan X's member and case only, even when filtering for plan Y's
    members = liaison_client.get("/api/members/").json()["results"]
    assert [m["id"] for m in members] == [case_a.member_id]
    assert liaison_client.get("/api/members/", {"cin": case_b.member.cin}).json()["results"] == []
    cases = liaison_client.get("/api/cases/").json()["results"]
    assert [c["id"] for c in cases] == [case_a.pk]
    assert liaison_client.get("/api/cases/", {"member": case_b.member_id}).json()["results"] == []


def test_member_shows_coverage_masked_ssn_and_visible_cases(liaison_client, case_a, plan_x):
    # Given plan X's member with an SSN on file
    case_a.member.ssn = "123-45-6789"
    case_a.member.save()
    # When the liaison reads the member
    data = liaison_client.get(f"/api/members/{case_a.member_id}/").json()
    # Then the coverage, the case and a masked SSN are shown
    assert data["ssn"].endswith("6789") and "12345" not in data["ssn"].replace("-", "")
    assert data["coverage"][0]["plan"] == {"id": plan_x.pk, "name": "Plan X"}
    assert data["coverage"][0]["active"] is True
    assert data["cases"] == [{"id": case_a.pk, "program": "ccs", "status": "open", "case_number": case_a.case_number}]


def test_member_list_query_count_does_not_grow_with_the_page(liaison_client, liaison_x, plan_x, county_a, program_a,
                                                            django_assert_num_queries):
    # Given 3 members of plan X, then 10
    def add_members(n):
        for _ in range(n):
            member = MemberFactory(county=county_a)
            CoverageFactory(member=member, plan=plan_x)
            CaseFactory(member=member, organization=program_a)

    add_members(3)
    liaison_client.get("/api/members/")  # token last-use write happens once a minute; keep it out of the count
    # The token, the cases opened to the liaison one by one (for the members and for their cases), the page,
    # its two prefetches and the access log write: a fixed number whatever the page holds.
    with django_assert_num_queries(7 + audit_write_queries()) as small:
        assert len(liaison_client.get("/api/members/").json()["results"]) == 3
    add_members(10)
    # When the page holds more members
    with django_assert_num_queries(7 + audit_write_queries()) as large:
        assert len(liaison_client.get("/api/members/").json()["results"]) == 13
    # Then the number of queries is the same
    assert len(large.captured_queries) == len(small.captured_queries)


def test_case_list_query_count_does_not_grow_with_the_page(liaison_client, plan_x, county_a, program_a, manager_a,
                                                          django_assert_num_queries):
    def add_cases(n):
        for _ in range(n):
            member = MemberFactory(county=county_a)
            CoverageFactory(member=member, plan=plan_x)
            CaseFactory(member=member, organization=program_a, primary_case_manager=manager_a)

    add_cases(2)
    liaison_client.get("/api/cases/")
    # The token, the cases opened to the liaison one by one (visibility), the page and the access log write
    # (the page tells it which cases are DMC-ODS: no Part 2 lookup).
    with django_assert_num_queries(3 + audit_write_queries()) as small:
        liaison_client.get("/api/cases/")
    add_cases(8)
    with django_assert_num_queries(3 + audit_write_queries()) as large:
        results = liaison_client.get("/api/cases/").json()["results"]
    assert len(results) == 10
    assert len(large.captured_queries) == len(small.captured_queries)
    # The page loads only the columns it shows of the member, organization and case manager (not the
    # member's identifiers nor the manager's password hash), and shows them all
    page_sql = next(q["sql"] for q in large.captured_queries if 'FROM "cases_case"' in q["sql"])
    assert '"accounts_user"."password"' not in page_sql and '"cases_member"."ssn"' not in page_sql
    assert '"cases_member"."cin"' in page_sql
    row = results[0]
    member = Member.objects.get(pk=row["member"]["id"])
    assert row["member"] == {"id": member.pk, "cin": member.cin, "first_name": member.first_name,
                             "last_name": member.last_name, "date_of_birth": member.date_of_birth.isoformat()}
    assert row["organization"] == {"id": program_a.pk, "name": program_a.name}
    assert row["primary_case_manager"] == {"name": manager_a.get_full_name() or manager_a.username, "email": manager_a.email}


def test_cursor_pagination_walks_every_member_once(liaison_client, plan_x, county_a):
    members = [MemberFactory(county=county_a) for _ in range(7)]
    for member in members:
        CoverageFactory(member=member, plan=plan_x)
    seen, url = [], "/api/members/?page_size=3"
    while url:
        page = liaison_client.get(url).json()
        seen += [m["id"] for m in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(m.pk for m in members)


@pytest.fixture
def plan_managed_case(plan_x, county_a):
    """An ECM case the plan itself is responsible for (the plan may edit it)."""
    member = MemberFactory(county=county_a)
    CoverageFactory(member=member, plan=plan_x)
    return CaseFactory(member=member, organization=plan_x, program="ecm")


def test_case_get_carries_an_etag_and_a_matching_patch_updates(liaison_client, plan_managed_case):
    # Given the liaison read the case
    response = liaison_client.get(f"/api/cases/{plan_managed_case.pk}/")
    assert response["ETag"] == 'W/"1"'
    # When it patches with that ETag
    patched = liaison_client.patch(f"/api/cases/{plan_managed_case.pk}/", {"populations_of_focus": ["homelessness"]},
                                   format="json", HTTP_IF_MATCH=response["ETag"])
    # Then the case changes, its version moves on and the timeline says so
    assert patched.status_code == 200, patched.json()
    assert patched["ETag"] == 'W/"2"' and patched.json()["version"] == 2
    plan_managed_case.refresh_from_db()
    assert plan_managed_case.populations_of_focus == ["homelessness"]
    assert TimelineEntry.objects.filter(case=plan_managed_case, kind="case.updated").count() == 1


def test_stale_if_match_gets_412_and_the_record_is_unchanged(liaison_client, plan_managed_case, manager_a):
    # Given the liaison read version 1, then someone else changed the case (version 2)
    etag = liaison_client.get(f"/api/cases/{plan_managed_case.pk}/")["ETag"]
    from cases.services import case_update_details

    case_update_details(case=plan_managed_case, expected_version=1, diagnoses=["Q90.9"])
    # When the liaison patches with the stale ETag
    response = liaison_client.patch(f"/api/cases/{plan_managed_case.pk}/", {"diagnoses": ["G80.1"]}, format="json",
                                    HTTP_IF_MATCH=etag)
    # Then 412 in the error shape, and the other change stands
    assert response.status_code == 412
    assert response.json()["errors"][0]["field"] == "If-Match"
    assert response.json()["errors"][0]["rule"] == "version_stale"
    plan_managed_case.refresh_from_db()
    assert plan_managed_case.diagnoses == ["Q90.9"] and plan_managed_case.version == 2


def test_patch_without_if_match_is_428_and_bad_input_names_the_field(liaison_client, plan_managed_case):
    missing = liaison_client.patch(f"/api/cases/{plan_managed_case.pk}/", {"asam_level": "3.1"}, format="json")
    assert missing.status_code == 428
    assert missing.json()["errors"][0]["rule"] == "if_match_required"
    bad = liaison_client.patch(f"/api/cases/{plan_managed_case.pk}/", {"diagnoses": ["not-a-code"]}, format="json",
                               HTTP_IF_MATCH='W/"1"')
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "diagnoses"
    plan_managed_case.refresh_from_db()
    assert plan_managed_case.version == 1 and plan_managed_case.diagnoses == []


def test_liaison_cannot_change_a_county_case_it_may_read(liaison_client, case_a):
    response = liaison_client.patch(f"/api/cases/{case_a.pk}/", {"asam_level": "1"}, format="json",
                                    HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 403
    case_a.refresh_from_db()
    assert case_a.version == 1 and case_a.asam_level == ""


def test_case_manager_token_reads_own_cases_only(case_a, case_b, manager_a):
    client = bearer_client(manager_a)
    assert [c["id"] for c in client.get("/api/cases/").json()["results"]] == [case_a.pk]
    assert client.get(f"/api/cases/{case_b.pk}/").status_code == 404


def test_active_since_takes_any_iso_offset_and_names_the_field_when_out_of_range(liaison_client, case_a):
    # Given a case changed now
    # When the sync filter carries an offset Python accepts but PostgreSQL does not (+19:17)
    far = liaison_client.get("/api/cases/", {"active_since": "1032-03-28T23:56:50.346+19:17"})
    # Then it is compared in UTC: the case changed after it is listed
    assert far.status_code == 200 and [c["id"] for c in far.json()["results"]] == [case_a.pk]
    # And a date-time that has no UTC equivalent is a 400 naming the field, not a server error
    early = liaison_client.get("/api/cases/", {"active_since": "0001-01-01T00:00:00+05:00"})
    assert early.status_code == 400
    assert [e["field"] for e in early.json()["errors"]] == ["active_since"]


def test_filters_run_only_when_the_request_names_one(liaison_client, case_a, plan_x, county_a, program_a):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from carecoord.api.filters import NamedFiltersBackend
    from cases.api_members import CaseViewSet
    from cases.models import Case

    # Given a second case of another program for a member of the same plan
    other = CaseFactory(member=case_a.member, organization=program_a, program="ecm")
    queryset = Case.objects.all()
    backend = NamedFiltersBackend()

    def filtered(query):
        return backend.filter_queryset(Request(APIRequestFactory().get("/api/cases/", query)), queryset, CaseViewSet())

    # A request with no filter, or only parameters that are not filters, gets the queryset as it was
    assert filtered({}) is queryset
    assert filtered({"page_size": 10, "cursor": "x"}) is queryset
    # A named filter narrows it
    assert list(filtered({"program": "ecm"}).values_list("pk", flat=True)) == [other.pk]
    # And through the API: a filter narrows the list, and a bad value is a 400 naming the field and its rule
    assert [c["id"] for c in liaison_client.get("/api/cases/", {"program": "ccs"}).json()["results"]] == [case_a.pk]
    bad = liaison_client.get("/api/cases/", {"program": "dental"})
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["program"]
