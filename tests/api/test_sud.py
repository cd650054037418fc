"""SUD (42 CFR Part 2) data reaches a plan through the API only under a Part 2 consent naming the plan."""
import pytest

from consents.models import ConsentKind, Disclosure
from tests.consents.factories import make_consent
from tests.factories import CaseFactory, CoverageFactory, MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dmc_case(plan_x, county_a):
    member = MemberFactory(county=county_a)
    CoverageFactory(member=member, plan=plan_x)
    county_dmc = OrganizationFactory(name="Alameda DMC-ODS", county=county_a, type="dmc_ods_provider")
    return CaseFactory(member=member, organization=county_dmc, program="dmc_ods", asam_level="3.5", diagnoses=["F11.20"])


def test_dmc_case_details_are_withheld_without_part2_consent(liaison_client, dmc_case, manager_a, plan_x):
    # Given a DMC-ODS case of a plan X member and only a HIPAA authorization naming plan X
    make_consent(ConsentKind.HIPAA_AUTHORIZATION, member=dmc_case.member, recorded_by=manager_a, recipients=[plan_x])
    # When plan X reads the case, alone and in the list
    detail = liaison_client.get(f"/api/cases/{dmc_case.pk}/").json()
    listed = liaison_client.get("/api/cases/").json()["results"][0]
    # Then the ASAM level and diagnoses are withheld and named as such; nothing was disclosed
    for data in (detail, listed):
        assert data["asam_level"] is None and data["diagnoses"] is None
        assert data["withheld"] == ["diagnoses", "asam_level"]
    # (the level as a JSON string value: a bare 3.5 can occur inside a timestamp)
    assert '"3.5"' not in liaison_client.get(f"/api/cases/{dmc_case.pk}/").content.decode()
    assert not Disclosure.objects.exists()
    # And neither its FHIR care team nor its episode of care (the SUD program and its care manager) is shown at all
    assert liaison_client.get(f"/api/fhir/CareTeam/{dmc_case.pk}").status_code == 404
    assert liaison_client.get(f"/api/fhir/EpisodeOfCare/{dmc_case.pk}").status_code == 404


def test_dmc_case_details_shown_and_accounted_under_part2_consent(liaison_client, dmc_case, manager_a, plan_x):
    # Given a Part 2 consent naming plan X
    make_consent(ConsentKind.PART2, member=dmc_case.member, recorded_by=manager_a, recipients=[plan_x])
    # When plan X reads the case
    data = liaison_client.get(f"/api/cases/{dmc_case.pk}/").json()
    # Then the SUD details are there and the disclosure is accounted for
    assert data["asam_level"] == "3.5" and data["diagnoses"] == ["F11.20"] and data["withheld"] == []
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == plan_x and disclosure.categories == ["sud"] and disclosure.channel == "api"
    assert liaison_client.get(f"/api/fhir/CareTeam/{dmc_case.pk}").status_code == 200
    assert liaison_client.get(f"/api/fhir/EpisodeOfCare/{dmc_case.pk}").status_code == 200


def test_part2_consent_for_another_plan_does_not_help(liaison_client, dmc_case, manager_a, plan_y):
    make_consent(ConsentKind.PART2, member=dmc_case.member, recorded_by=manager_a, recipients=[plan_y])
    assert liaison_client.get(f"/api/cases/{dmc_case.pk}/").json()["asam_level"] is None


def _dmc_cases_of_plan(count, *, plan, county, consent_by, part2_for_every_other):
    county_dmc = OrganizationFactory(name="Alameda DMC-ODS", county=county, type="dmc_ods_provider")
    cases = []
    for index in range(count):
        member = MemberFactory(county=county)
        CoverageFactory(member=member, plan=plan)
        if part2_for_every_other and index % 2 == 0:
            make_consent(ConsentKind.PART2, member=member, recorded_by=consent_by, recipients=[plan])
        cases.append(CaseFactory(member=member, organization=county_dmc, program="dmc_ods", asam_level="3.1"))
    return cases


def test_a_plans_case_list_decides_part2_per_case_in_queries_independent_of_the_page(
        liaison_client, plan_x, county_a, manager_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cases = _dmc_cases_of_plan(8, plan=plan_x, county=county_a, consent_by=manager_a, part2_for_every_other=True)
    consented = {case.pk for index, case in enumerate(cases) if index % 2 == 0}
    counts = {}
    liaison_client.get("/api/cases/?page_size=1")  # the token's last use is written once, on the first call
    for page_size in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            results = liaison_client.get(f"/api/cases/?page_size={page_size}").json()["results"]
        counts[page_size] = len(queries)
        assert len(results) == page_size
        # Each case on the page is decided by its own member's consent
        for row in results:
            assert (row["asam_level"] == "3.1") == (row["id"] in consented)
            assert (row["withheld"] == []) == (row["id"] in consented)
    # The number of queries does not grow with the number of DMC-ODS cases on the page
    assert counts[8] == counts[2]
    # And every case whose SUD details were shown is in the accounting of disclosures, with its case
    shown = {d.case_id for d in Disclosure.objects.filter(recipient=plan_x, categories=["sud"])}
    assert shown == consented
