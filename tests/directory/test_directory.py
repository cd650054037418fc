"""The care network: search, fit warnings, CSV import, utilization duplicates, PCP reports."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from carecoord.accounts.models import Organization
from carecoord.clocks.outbox import outbox_dispatch_pending
from carecoord.errors import RuleViolation
from cases.ccs import sar_decide, sar_request
from cases.documents import document_upload
from consents.models import ConsentKind, Disclosure
from directory.models import MedicalReport, ProviderProfile, Service
from directory.selectors import member_origin, provider_fit_warnings, provider_search, utilization_for
from directory.services import directory_export_rows, directory_import_csv, profile_save
from notices.models import Notice
from tests.consents.factories import make_consent
from tests.factories import CaseFactory, CoverageFactory, MemberFactory, OrganizationFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _profile(name, *, services, county, plans=(), languages=("en",), zip_code="95814", paneling="paneled",
             accepting=True, org_type=Organization.Type.CCS_PHYSICIAN):
    profile, _ = profile_save(
        name=name, type=org_type,
        profile_fields={"ccs_paneling": paneling, "languages": list(languages), "zip_code": zip_code,
                        "accepting_new_patients": accepting},
        services=[Service.objects.get(code=code) for code in services], plans=list(plans), counties=[county])
    return profile


@pytest.mark.django_db
def test_search_by_need_county_language_and_plan_returns_matches_nearest_first(county_a, county_b, plan_x, plan_y):
    # given pulmonologists at various distances from a member in ZIP 95817 (Sacramento)
    near = _profile("Near Lung", services=["pulmonology"], county=county_a, plans=[plan_x], languages=["en", "es"], zip_code="95818")
    far = _profile("Far Lung", services=["pulmonology"], county=county_a, plans=[plan_x], languages=["es"], zip_code="95630")
    _profile("English Only Lung", services=["pulmonology"], county=county_a, plans=[plan_x], languages=["en"], zip_code="95816")
    _profile("Other Plan Lung", services=["pulmonology"], county=county_a, plans=[plan_y], languages=["es"], zip_code="95816")
    _profile("Other County Lung", services=["pulmonology"], county=county_b, plans=[plan_x], languages=["es"], zip_code="95816")
    _profile("Near Heart", services=["cardiology"], county=county_a, plans=[plan_x], languages=["es"], zip_code="95817")
    member = MemberFactory(county=county_a, zip_code="95817")
    # when searching for a Spanish-speaking pulmonologist in plan X in county A
    hits = provider_search(service="pulmonology", county=county_a, language="es", plan=plan_x, origin=member_origin(member))
    # then exactly the two matching entries come back, nearest first, with distances
    assert [hit.profile for hit in hits] == [near, far]
    assert hits[0].miles < hits[1].miles
    assert 15 < hits[1].miles < 25  # Folsom from Oak Park, as the crow flies
    # and a radius drops the far one
    assert [h.profile for h in provider_search(service="pulmonology", county=county_a, language="es", plan=plan_x,
                                                origin=member_origin(member), max_miles=10)] == [near]


@pytest.mark.django_db
def test_search_for_ccs_paneled_providers_keeps_only_those_paneled_today(county_a):
    import datetime

    from django.utils import timezone

    paneled = _profile("Paneled Lung", services=["pulmonology"], county=county_a)
    _profile("Applying Lung", services=["pulmonology"], county=county_a, paneling="application")
    _profile("Lapsed Lung", services=["pulmonology"], county=county_a, paneling="lapsed")
    expired = _profile("Expired Lung", services=["pulmonology"], county=county_a)
    expired.paneled_until = timezone.localdate() - datetime.timedelta(days=1)
    expired.save(update_fields=["paneled_until"])
    # Without the filter all four come back; with it, only the one paneled today
    assert len(provider_search(service="pulmonology", county=county_a)) == 4
    assert [hit.profile for hit in provider_search(service="pulmonology", county=county_a, ccs_paneled_only=True)] == [paneled]


@pytest.mark.django_db
def test_fit_warnings_name_each_reason(county_a, plan_x, plan_y):
    member = MemberFactory(county=county_a)
    CoverageFactory(member=member, plan=plan_x)
    good = _profile("Good", services=["pulmonology"], county=county_a, plans=[plan_x])
    bad = _profile("Bad", services=["pulmonology"], county=county_a, plans=[plan_y], paneling="application", accepting=False)
    assert provider_fit_warnings(good.organization, member=member, program="ccs") == []
    warnings = provider_fit_warnings(bad.organization, member=member, program="ccs")
    assert len(warnings) == 3
    assert "application in progress" in warnings[0]
    assert "not in the network of Plan X" in warnings[1]
    assert "not accepting new patients" in warnings[2]


@pytest.mark.django_db
def test_non_paneled_provider_on_a_ccs_sar_warns(county_a, manager_a, program_a):
    # given a physician whose directory entry says CCS paneling lapsed
    profile = _profile("Lapsed Lung", services=["pulmonology"], county=county_a, paneling="lapsed")
    case = CaseFactory(organization=program_a, program="ccs", referred_at=timezone.now() - datetime.timedelta(days=20))
    # when a SAR names that provider
    sar = sar_request(case=case, service="Pulmonary function test", provider=profile.organization,
                      start_date=timezone.localdate(), end_date=timezone.localdate() + datetime.timedelta(days=30),
                      requested_by=manager_a)
    # then the SAR carries the warning with the reason, and a paneled one does not
    assert sar.provider_warning == "Lapsed Lung: CCS paneling lapsed."
    paneled = _profile("Paneled Lung", services=["pulmonology"], county=county_a)
    ok = sar_request(case=case, service="Clinic visit", provider=paneled.organization, start_date=timezone.localdate(),
                     end_date=timezone.localdate() + datetime.timedelta(days=30), requested_by=manager_a)
    assert ok.provider_warning == ""


CSV_HEADER = "name,type,services,ccs_paneling,counties,plans,languages,accepting_new_patients,zip_code\n"


@pytest.mark.django_db
def test_csv_import_with_one_bad_row_reports_it_and_imports_nothing(county_a, plan_x):
    text = CSV_HEADER + (
        f"Good Clinic,ccs_physician,pulmonology,paneled,{county_a.name},{plan_x.name},en;es,yes,95814\n"
        f"Bad Clinic,ccs_physician,astrology,paneled,{county_a.name},{plan_x.name},en,yes,95814\n"
        f"Another Good,dental,dental,not_paneled,{county_a.name},,en,no,95816\n"
    )
    report = directory_import_csv(text=text)
    assert report.errors == [(3, "services", "Unknown service code 'astrology'.")]
    assert report.created == 0
    assert not ProviderProfile.objects.exists()
    assert not Organization.objects.filter(name__in=["Good Clinic", "Another Good"]).exists()


@pytest.mark.django_db
def test_csv_import_then_export_round_trips(county_a, plan_x):
    text = CSV_HEADER + f"Good Clinic,ccs_physician,pulmonology;cardiology,paneled,{county_a.name},{plan_x.name},en;es,yes,95814\n"
    report = directory_import_csv(text=text)
    assert (report.created, report.errors) == (1, [])
    profile = ProviderProfile.objects.get(organization__name="Good Clinic")
    assert set(profile.services.values_list("code", flat=True)) == {"pulmonology", "cardiology"}
    assert profile.latitude is not None  # placed by ZIP centroid
    rows = list(directory_export_rows())
    assert rows[1][0] == "Good Clinic" and rows[1][3] in ("cardiology;pulmonology", "pulmonology;cardiology")
    # importing the export again updates, never duplicates
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    again = directory_import_csv(text=buffer.getvalue())
    assert (again.created, again.updated, again.errors) == (0, 1, [])


@pytest.mark.django_db
def test_overlapping_authorizations_are_flagged_as_likely_duplicates(county_a, manager_a, program_a):
    case = CaseFactory(organization=program_a, program="ccs", team=manager_a.team,
                       referred_at=timezone.now() - datetime.timedelta(days=60))
    one = _profile("Lung One", services=["pulmonology"], county=county_a)
    two = _profile("Lung Two", services=["pulmonology"], county=county_a)
    today = timezone.localdate()
    for provider, start in ((one, today), (two, today + datetime.timedelta(days=10))):
        sar_request(case=case, service="Home oxygen", service_code="E1390", provider=provider.organization,
                    start_date=start, end_date=start + datetime.timedelta(days=30), requested_by=manager_a)
    sar_request(case=case, service="Clinic visit", service_code="99213", provider=one.organization,
                start_date=today, end_date=today + datetime.timedelta(days=5), requested_by=manager_a)
    items = utilization_for(member=case.member, user=manager_a)
    flagged = [item for item in items if item.duplicate_reasons]
    assert sorted(item.provider.name for item in flagged) == ["Lung One", "Lung Two"]
    assert all("Overlapping authorizations" in item.duplicate_reasons[0] for item in flagged)


def _report_setup(county_a, program_a, manager_a, consultant):
    pcp = OrganizationFactory(name="Oak PCP", type=Organization.Type.MEDICAL_HOME, fax="916-555-0199")
    member = MemberFactory(county=county_a, primary_care_provider=pcp)
    case = CaseFactory(member=member, organization=program_a, program="ccs", team=manager_a.team,
                       referred_at=timezone.now() - datetime.timedelta(days=30))
    author = _profile("Author Lung", services=["pulmonology"], county=county_a).organization
    sar = sar_request(case=case, service="Clinic visit", provider=author, start_date=timezone.localdate(),
                      end_date=timezone.localdate() + datetime.timedelta(days=30), requested_by=manager_a)
    sar_decide(sar=sar, decision="approved", decided_by=consultant, reason="Medically necessary",
               medical_necessity_review="Follow-up of chronic lung disease is medically necessary.")
    document = document_upload(uploaded_file=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
                               kind="medical_report", case=case, uploaded_by=manager_a, title="Pulmonology consult")
    return member, case, pcp, author, document


@pytest.mark.django_db
def test_report_to_pcp_is_refused_without_consent_and_delivered_with_one(county_a, program_a, manager_a):
    from directory.services import medical_report_send

    consultant = UserFactory(role="medical_consultant", organization=program_a, team=None)
    member, case, pcp, author, document = _report_setup(county_a, program_a, manager_a, consultant)
    # without a consent naming the PCP: refused, nothing written
    with pytest.raises(RuleViolation) as exc:
        medical_report_send(document=document, author=author, sent_by=manager_a)
    assert exc.value.field == "consent"
    assert not MedicalReport.objects.exists()
    assert not Notice.objects.filter(kind="pcp_medical_report").exists()
    assert not Disclosure.objects.filter(member=member).exists()
    # with a HIPAA authorization naming the PCP for treatment: delivered and accounted for once
    make_consent(ConsentKind.HIPAA_AUTHORIZATION, member=member, recorded_by=manager_a, recipients=[pcp],
                 purposes=["treatment"])
    report = medical_report_send(document=document, author=author, sent_by=manager_a)
    assert report.status == MedicalReport.Status.SENT
    assert report.notice.recipient_org == pcp and report.notice.status == "queued"
    assert Disclosure.objects.filter(member=member, recipient=pcp).count() == 1
    # and the outbox delivers it by fax, tracked on the notice
    outbox_dispatch_pending()
    report.notice.refresh_from_db()
    assert report.notice.status == "sent"
    assert report.notice.events.filter(kind="contact_logged").count() == 1


@pytest.mark.django_db
def test_report_from_a_provider_without_authorization_is_refused(county_a, program_a, manager_a):
    from directory.services import medical_report_send

    consultant = UserFactory(role="medical_consultant", organization=program_a, team=None)
    _member, _case, _pcp, _author, document = _report_setup(county_a, program_a, manager_a, consultant)
    stranger = _profile("Stranger Lung", services=["pulmonology"], county=county_a).organization
    with pytest.raises(RuleViolation) as exc:
        medical_report_send(document=document, author=stranger, sent_by=manager_a)
    assert exc.value.rule == "medical_report.authorized_provider"


@pytest.mark.django_db
def test_search_page_and_gaps_report(client, manager_a, county_a):
    _profile("Page Lung", services=["pulmonology"], county=county_a, languages=["es"])
    client.force_login(manager_a)
    page = client.get("/directory/", {"service": "pulmonology", "county": county_a.pk, "language": "es"})
    assert page.status_code == 200 and b"Page Lung" in page.content
    empty = client.get("/directory/", {"service": "dental", "county": county_a.pk})
    assert b"Record unmet need" in empty.content
    client.post("/directory/unmet-needs/", {"service": "dental", "county": county_a.pk, "language": "es", "note": "none nearby"})
    report = client.get("/directory/gaps/", {"format": "csv"})
    body = b"".join(report.streaming_content).decode()
    assert "Alameda,Dental care,es,1" in body


@pytest.mark.django_db
def test_directory_api_lists_matches(client, liaison_x, county_a):
    _profile("Api Lung", services=["pulmonology"], county=county_a, languages=["es"])
    client.force_login(liaison_x)
    response = client.get("/api/directory/providers/", {"service": "pulmonology", "language": "es"})
    assert response.status_code == 200
    assert [row["name"] for row in response.json()] == ["Api Lung"]
    bad = client.get("/api/directory/providers/", {"service": "astrology"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "service"


@pytest.mark.django_db
def test_outbound_referral_to_a_poor_fit_records_the_warnings(county_a, manager_a, program_a, plan_x, plan_y):
    from referrals.services import referral_create_outbound

    member = MemberFactory(county=county_a)
    CoverageFactory(member=member, plan=plan_x)
    case = CaseFactory(member=member, organization=program_a, program="ccs", team=manager_a.team)
    full = _profile("Full Lung", services=["pulmonology"], county=county_a, plans=[plan_y], accepting=False)
    referral = referral_create_outbound(case=case, service_type="ccs_specialist", recipient_organization=full.organization,
                                        actor=manager_a, reason="Chronic cough")
    warnings = referral.events.get(action="created").data["warnings"]
    assert any("not in the network of Plan X" in w for w in warnings)
    assert any("not accepting new patients" in w for w in warnings)
    assert "not accepting new patients" in case.timeline.get(kind="referral.created").summary
