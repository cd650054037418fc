"""Pages and API of consents, tried as a case manager and a plan liaison would."""
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from carecoord.accounts.services import api_token_issue
from carecoord.clocks.models import Deadline
from consents.models import Consent, ConsentKind, Disclosure
from consents.services import disclose
from tests.consents.factories import make_consent
from tests.factories import ProviderFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def part2_post(provider, **overrides):
    today = timezone.localdate()
    data = {
        "recipients": [provider.pk], "purposes": ["referral"], "data_categories": ["sud", "general"],
        "description_of_information": "ASAM assessment, diagnosis, recent service notes", "discloser": "County DMC-ODS",
        "effective_on": today.isoformat(), "expires_on": today.replace(year=today.year + 1).isoformat(),
        "signed_by_name": "Jordan Lee", "signed_on": today.isoformat(), "statement_right_to_revoke": "on",
        "statement_treatment_not_conditioned": "on", "statement_redisclosure": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_case_manager_records_part2_consent_sends_is_refused_revokes_and_sees_accounting(client, case_a, manager_a):
    new_dawn = ProviderFactory(name="New Dawn Residential Treatment", type="dmc_ods_provider")
    hillside = ProviderFactory(name="Hillside Recovery", type="dmc_ods_provider")
    member = case_a.member
    client.force_login(manager_a)
    url = reverse("consents:consent_create", args=[member.pk, ConsentKind.PART2])

    # Given the form without the redisclosure statement: refused, the element named next to its field
    response = client.post(url, part2_post(new_dawn, statement_redisclosure=None))
    assert response.status_code == 200
    assert "may be redisclosed" in response.context["form"].errors["statement_redisclosure"][0]
    assert Consent.objects.count() == 0

    # When the complete consent is posted with the signed form attached
    response = client.post(url, {**part2_post(new_dawn),
                                 "document_file": SimpleUploadedFile("consent.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.document.kind == "signed_consent" and list(consent.recipients.all()) == [new_dawn]

    # Then sending SUD records to New Dawn goes, to Hillside is refused with the reason
    disclose(member=member, recipient=new_dawn, purpose="referral", categories=["sud"], description="Referral packet",
             disclosed_by=manager_a, case=case_a)
    with pytest.raises(Exception) as err:
        disclose(member=member, recipient=hillside, purpose="referral", categories=["sud"], description="Referral packet",
                 disclosed_by=manager_a)
    assert "Hillside Recovery" in str(err.value)

    # The member's page shows the consent active
    page = client.get(reverse("consents:member_consents", args=[member.pk]))
    assert page.status_code == 200 and len(page.context["summary"]["active"]) == 1

    # Revoking without "in writing" is refused for Part 2; in writing it takes effect
    revoke_url = reverse("consents:consent_revoke", args=[consent.pk])
    response = client.post(revoke_url, {"note": "phoned"})
    assert "in writing" in response.context["form"].errors["in_writing"][0]
    response = client.post(revoke_url, {"in_writing": "on", "note": "Letter received"})
    assert response.status_code == 302
    with pytest.raises(Exception) as err:
        disclose(member=member, recipient=new_dawn, purpose="referral", categories=["sud"], description="Update",
                 disclosed_by=manager_a)
    assert err.value.rule == "disclosure.consent_revoked"

    # The accounting lists the one disclosure that happened
    page = client.get(reverse("consents:member_disclosures", args=[member.pk]))
    assert [d.recipient for d in page.context["disclosures"]] == [new_dawn]
    assert "New Dawn Residential Treatment" in page.content.decode()


@pytest.mark.django_db
def test_verbal_consent_form_names_missing_element(client, case_a, manager_a):
    ecm = ProviderFactory(name="Harbor ECM", type="ecm_provider")
    client.force_login(manager_a)
    today = timezone.localdate()
    response = client.post(reverse("consents:consent_create", args=[case_a.member.pk, ConsentKind.ECM_VERBAL]), {
        "recipients": [ecm.pk], "purposes": ["referral"], "data_categories": ["general"],
        "verbal_provider_and_service": "Harbor ECM care manager", "verbal_information_shared": "on",
        "verbal_right_to_withdraw": "on", "given_by_name": "Maria (mother)", "effective_on": today.isoformat(),
        "expiry_event": "ECM enrollment ends", "obtained_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 200
    assert "how long" in response.context["form"].errors["verbal_duration"][0]
    assert Consent.objects.count() == 0


@pytest.mark.django_db
def test_list_request_starts_clock_and_produced_csv_meets_it(client, case_a, manager_a):
    member = case_a.member
    plan = member.coverages.get().plan
    disclose(member=member, recipient=plan, purpose="payment", categories=["general"], description="Claim support",
             disclosed_by=manager_a, channel="api")
    client.force_login(manager_a)
    response = client.post(reverse("consents:member_disclosures", args=[member.pk]), {"requested_by_name": ""})
    assert response.status_code == 302
    deadline = Deadline.objects.get(rule_code="all.part2_disclosure_list")
    request_id = deadline.subject_id
    response = client.post(reverse("consents:disclosure_list_produce", args=[request_id]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "disclosed_at" and len(rows) == 2 and rows[1][1] == str(plan)
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.MET_ON_TIME


@pytest.mark.django_db
def test_the_accounting_of_disclosures_csv_never_hands_a_spreadsheet_a_formula(client, case_a, manager_a):
    # given a disclosure whose description, as typed, begins with a formula character
    member = case_a.member
    disclose(member=member, recipient=member.coverages.get().plan, purpose="payment", categories=["general"],
             description="=HYPERLINK(\"http://x\")", disclosed_by=manager_a, channel="api")
    client.force_login(manager_a)
    # when the member's accounting of disclosures is downloaded
    response = client.get(reverse("consents:member_disclosures_csv", args=[member.pk]))
    # then the description is text to a spreadsheet
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["description"] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.django_db
def test_other_members_consent_pages_are_404(client, case_a, case_b, manager_a):
    consent = make_consent(ConsentKind.HIPAA_AUTHORIZATION, member=case_b.member, recorded_by=manager_a,
                           recipient_persons=["Ana Ruiz"])
    client.force_login(manager_a)
    assert client.get(reverse("consents:member_consents", args=[case_b.member.pk])).status_code == 404
    assert client.get(reverse("consents:consent_detail", args=[consent.pk])).status_code == 404
    assert client.get(reverse("consents:member_disclosures_csv", args=[case_b.member.pk])).status_code == 404


@pytest.mark.django_db
def test_gap_shown_for_dmc_care_team_provider_without_part2_consent(client, case_a, manager_a):
    from tests.factories import CareTeamMemberFactory

    case_a.program = "dmc_ods"
    case_a.save()
    residential = ProviderFactory(name="New Dawn Residential Treatment", type="dmc_ods_provider")
    CareTeamMemberFactory(case=case_a, organization=residential, user=None, contact_name="Intake", role="specialist")
    client.force_login(manager_a)
    page = client.get(reverse("consents:member_consents", args=[case_a.member.pk]))
    gaps = page.context["summary"]["gaps"]
    assert [(g.need.recipient, g.rule) for g in gaps] == [(residential, "disclosure.part2_consent_required")]
    assert "New Dawn Residential Treatment" in page.content.decode()
    make_consent(ConsentKind.PART2, member=case_a.member, recorded_by=manager_a, recipients=[residential])
    page = client.get(reverse("consents:member_consents", args=[case_a.member.pk]))
    assert page.context["summary"]["gaps"] == []


@pytest.mark.django_db
def test_api_plan_sees_part2_consent_only_when_it_covers_the_plan(case_a, manager_a, liaison_x, plan_x):
    member = case_a.member
    provider = ProviderFactory(name="New Dawn Residential Treatment", type="dmc_ods_provider")
    make_consent(ConsentKind.HIPAA_AUTHORIZATION, member=member, recorded_by=manager_a, recipients=[plan_x])
    make_consent(ConsentKind.PART2, member=member, recorded_by=manager_a, recipients=[provider])
    _, raw = api_token_issue(user=liaison_x, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/members/{member.pk}/consents/"
    body = api.get(url).json()
    assert [c["kind"] for c in body] == ["hipaa_authorization"]
    make_consent(ConsentKind.PART2, member=member, recorded_by=manager_a, recipients=[plan_x],
                 purposes=["care_coordination"])
    body = api.get(url).json()
    assert sorted(c["kind"] for c in body) == ["hipaa_authorization", "part2", "part2"]
    assert all(c["status"] == "active" for c in body)
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_api_other_plans_member_is_404(case_b, liaison_x):
    _, raw = api_token_issue(user=liaison_x, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(f"/api/members/{case_b.member.pk}/consents/").status_code == 404


@pytest.mark.django_db
def test_api_consent_list_query_count_does_not_grow(case_a, manager_a, liaison_x, plan_x):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = case_a.member
    _, raw = api_token_issue(user=liaison_x, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/members/{member.pk}/consents/"

    def count(n_more):
        for _n in range(n_more):
            make_consent(ConsentKind.HIPAA_AUTHORIZATION, member=member, recorded_by=manager_a, recipients=[plan_x])
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url).status_code == 200
        return len(ctx.captured_queries)

    api.get(url)  # first use of the token writes its last-used time
    assert count(2) == count(6)
