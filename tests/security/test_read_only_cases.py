"""Reading a case is not changing it.

A case is opened one by one to people outside the organization responsible for it: shared with a
worker of another county (django-guardian), or read under break-glass. They may read it; only the
responsible organization, the primary case manager and the care team change it (``case_editable_by``),
in every program's pages as in the API.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from carecoord.audit.models import BreakGlassGrant
from cases.ccs_models import CarePlan
from cases.models import Case, CareTeamMember
from cases.services import case_share
from tests.factories import CaseFactory, MemberFactory, UserFactory
from transitions.models import ServiceNote

pytestmark = pytest.mark.django_db

READ_ONLY = "Only the organization responsible for the case, its case manager and its care team may change it."


@pytest.fixture
def dmc_case(program_a, manager_a):
    return CaseFactory(member=MemberFactory(), organization=program_a, team=manager_a.team, primary_case_manager=manager_a,
                       program="dmc_ods")


@pytest.fixture(params=["shared", "break_glass"])
def reader(request, case_a, dmc_case, program_b):
    """A case manager of another county who may read cases A and the DMC-ODS case, by a share or by break-glass."""
    user = UserFactory(organization=program_b)
    for case in (case_a, dmc_case):
        if request.param == "shared":
            case_share(case=case, user=user, reason="Transfer between counties")
        else:
            BreakGlassGrant.objects.create(user=user, case=case, reason="Member in the emergency room",
                                           expires_at=timezone.now() + datetime.timedelta(hours=1))
    return user


def change_pages(case_a, dmc_case) -> list[str]:
    """A page that changes the case in each program: CCS care plan, service referral, notice, appeal, DMC-ODS note."""
    return [
        reverse("ccs:care_plan_new", args=[case_a.pk]),
        reverse("referrals:outbound_new", args=[case_a.pk]),
        reverse("notices:new", args=[case_a.pk]),
        reverse("notices:appeal_new", args=[case_a.pk]),
        reverse("transitions:action", args=["case", dmc_case.pk, "note"]),
    ]


def test_a_reader_of_another_county_may_open_the_case_but_change_nothing_in_any_program(client, case_a, dmc_case, reader,
                                                                                        manager_a):
    # The case manager responsible is shown each form
    client.force_login(manager_a)
    for url in change_pages(case_a, dmc_case):
        assert client.get(url).status_code == 200, url

    # The reader may open the case, and is refused each form, shown or sent, with the reason
    client.force_login(reader)
    assert client.get(reverse("case_detail", args=[case_a.pk])).status_code == 200
    for url in change_pages(case_a, dmc_case):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "Care plan", "text": "Called", "reason": "Therapy"}).status_code == 403, url
    assert not CarePlan.objects.filter(case=case_a).exists() and not ServiceNote.objects.filter(case=dmc_case).exists()
    # A refusal says why
    response = client.post(reverse("ccs:care_plan_new", args=[case_a.pk]), {"title": "Care plan"})
    assert READ_ONLY in response.content.decode()
    response = client.post(reverse("case_status", args=[case_a.pk]), {"status": "closed", "closed_reason": "Moved"})
    assert response.status_code == 403 and READ_ONLY in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.OPEN


def test_joining_the_care_team_lets_the_same_worker_change_the_case(client, case_a, program_b):
    # Given a worker of another county on case A's care team (no share needed to read it)
    worker = UserFactory(organization=program_b)
    CareTeamMember.objects.create(case=case_a, user=worker, role=CareTeamMember.Role.OTHER)
    client.force_login(worker)

    # When they write the care plan, Then it is written
    response = client.post(reverse("ccs:care_plan_new", args=[case_a.pk]), {"title": "Care plan", "summary": "Wheelchair"})
    assert response.status_code == 302
    assert CarePlan.objects.filter(case=case_a, title="Care plan").exists()


def test_the_case_page_offers_a_reader_none_of_the_programs_changes(client, case_a, dmc_case, reader, manager_a):
    def change_links(user) -> dict[str, bool]:
        client.force_login(user)
        ccs = client.get(reverse("case_detail", args=[case_a.pk])).content.decode()
        dmc = client.get(reverse("case_detail", args=[dmc_case.pk])).content.decode()
        return {
            "ccs care plan": reverse("ccs:care_plan_new", args=[case_a.pk]) in ccs,
            "service referral": reverse("referrals:outbound_new", args=[case_a.pk]) in ccs,
            "dmc-ods note": reverse("transitions:action", args=["case", dmc_case.pk, "note"]) in dmc,
            "task": reverse("case_task_add", args=[case_a.pk]) in ccs,
        }

    assert all(change_links(manager_a).values()), change_links(manager_a)
    assert not any(change_links(reader).values()), change_links(reader)


# ------------------------------------------------------------------ the member's and the case's other records


def test_a_reader_records_no_consent_revokes_none_and_files_no_request_for_the_list(client, case_a, reader, manager_a):
    from consents.models import Consent, ConsentKind, DisclosureListRequest
    from tests.consents.factories import make_consent
    from tests.consents.test_views import part2_post
    from tests.factories import ProviderFactory

    provider = ProviderFactory(name="New Dawn", type="dmc_ods_provider")
    consent = make_consent(ConsentKind.HIPAA_AUTHORIZATION, member=case_a.member, recorded_by=manager_a,
                           recipients=[provider], purposes=["treatment"])
    member = case_a.member
    client.force_login(reader)
    # They may read the member's consents, and are offered no change
    page = client.get(reverse("consents:member_consents", args=[member.pk]))
    assert page.status_code == 200
    assert reverse("consents:consent_create", args=[member.pk, ConsentKind.PART2]) not in page.content.decode()
    # And each change is refused with the reason
    attempts = [
        (reverse("consents:consent_create", args=[member.pk, ConsentKind.PART2]), {**part2_post(provider), "case": case_a.pk}),
        (reverse("consents:consent_revoke", args=[consent.pk]), {"in_writing": "on", "note": "Family asked"}),
        (reverse("consents:consent_expiry_event", args=[consent.pk]), {"note": "Ended"}),
        (reverse("consents:member_disclosures", args=[member.pk]),
         {"requested_by_name": "Parent", "requested_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
    ]
    for url, data in attempts:
        response = client.post(url, data)
        assert response.status_code == 403 and "member's cases" in response.content.decode(), url
    consent.refresh_from_db()
    assert consent.revoked_at is None and consent.status() == "active"
    assert Consent.objects.filter(member=member).count() == 1 and not DisclosureListRequest.objects.exists()
    # While the case manager responsible records one
    client.force_login(manager_a)
    assert client.get(reverse("consents:consent_create", args=[member.pk, ConsentKind.PART2])).status_code == 200


def test_a_reader_moves_no_service_referral_on_the_case(client, case_a, reader, manager_a):
    from referrals import services as referral_services

    referral = referral_services.referral_create_outbound(case=case_a, service_type="mental_health", actor=manager_a,
                                                          recipient_contact="Dr. Ortiz", reason="Anxiety")
    client.force_login(reader)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert page.status_code == 200 and 'name="to_status"' not in page.content.decode()
    response = client.post(reverse("referrals:detail", args=[referral.pk]), {"to_status": "closed", "outcome": "declined"})
    assert response.status_code == 403 and READ_ONLY in response.content.decode()
    referral.refresh_from_db()
    assert referral.status != "closed"


def test_neither_a_reader_nor_the_plan_produces_the_county_referral_packet(client, county_a, program_b):
    from consents.models import Disclosure
    from tests.factories import LiaisonFactory
    from tests.transitions.factories import DmcWorld
    from transitions import services as transitions
    from transitions.models import TransitionStep

    world = DmcWorld(county=county_a)
    case = world.member_case(status="open")
    world.coordinated_consent(case.member)
    transition = transitions.transition_open(
        case=case, kind="setting_change", event_at=timezone.now() - datetime.timedelta(hours=3), actor=world.manager,
        to_setting="outpatient", to_asam_level="1.0", recipient_organization=world.outpatient, reasons="Ready")
    reader = UserFactory(organization=program_b)
    case_share(case=case, user=reader, reason="Transfer between counties")
    for user in (reader, LiaisonFactory(organization=world.plan)):
        client.force_login(user)
        assert client.post(reverse("transitions:packet", args=[transition.pk])).status_code == 403, user.role
    assert not TransitionStep.objects.filter(transition=transition, step="packet_produced").exists()
    assert not Disclosure.objects.exists()
    client.force_login(world.manager)
    response = client.post(reverse("transitions:packet", args=[transition.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_a_reader_or_the_plan_records_no_inpatient_review(client, case_a, reader, liaison_x, manager_a):
    from carecoord.accounts.models import Organization
    from directory.models import ConcurrentReview
    from tests.factories import OrganizationFactory

    hospital = OrganizationFactory(name="Mercy General", type=Organization.Type.HOSPITAL)
    review_url = reverse("directory:concurrent_review", args=[case_a.pk])
    utilization_url = reverse("directory:utilization", args=[case_a.member_id])
    # The member's utilization picture offers the case manager responsible the review and the report to the PCP
    client.force_login(manager_a)
    html = client.get(utilization_url).content.decode()
    assert review_url in html and reverse("directory:medical_report", args=[case_a.pk]) in html
    for user in (reader, liaison_x):
        client.force_login(user)
        page = client.get(utilization_url)
        assert page.status_code == 200 and review_url not in page.content.decode()
        for url in (reverse("directory:concurrent_review", args=[case_a.pk]), reverse("directory:medical_report", args=[case_a.pk])):
            assert client.get(url).status_code == 403, (user.role, url)
        response = client.post(reverse("directory:concurrent_review", args=[case_a.pk]),
                               {"facility": hospital.pk, "admitted_on": timezone.localdate().isoformat(), "level_of_care": "Acute"})
        assert response.status_code == 403
    assert not ConcurrentReview.objects.exists()


def test_intake_does_not_file_a_referral_in_another_programs_open_case(client, case_a, program_b, county_b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Document
    from referrals.models import Referral

    # Given a child who moved to county B while county A's CCS case is still open
    member = case_a.member
    member.county = county_b
    member.save()
    worker = UserFactory(organization=program_b)
    client.force_login(worker)
    # When county B's intake takes a referral for the child, with a document
    response = client.post(reverse("ccs:intake"), {
        "member_cin": member.cin, "source": "family", "suspected_condition": "Cerebral palsy", "urgency": "routine",
        "referred_on": timezone.localdate().isoformat(),
        "documents": SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")})
    # Then it is refused next to the CIN, naming the program that holds the case, and nothing is written
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "open CCS case with" in " ".join(errors["member_cin"]) and str(case_a.organization) in " ".join(errors["member_cin"])
    assert not Document.objects.filter(case=case_a).exists() and not Referral.objects.filter(case=case_a).exists()


def _child_in_a_running_transition(county, program, plan, supervisor, *, job: str, member):
    """A child of ``plan`` with a CCS case of ``program`` in a confirmed Whole Child Model transition, after one
    bulk job (``call_list``, or ``notices`` for the 90-day wave)."""
    from tests.factories import CoverageFactory
    from tests.transitions.factories import transition_date_ahead
    from transitions import population_services as population

    CoverageFactory(member=member, plan=plan)
    case = CaseFactory(member=member, organization=program)
    transition = population.population_transition_confirm(
        transition=population.population_transition_create(name="WCM", county=county, county_program=program, plans=[plan],
                                                            transition_date=transition_date_ahead(), created_by=supervisor),
        by=supervisor)
    population.bulk_job_run(population.bulk_job_start(transition=transition, kind=job, wave="90" if job == "notices" else "",
                                                      by=supervisor).pk)
    return case, transition


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_welcome_call_is_recorded_by_its_plan_or_the_county_not_by_a_reader(client, county_a, program_a, program_b, plan_x,
                                                                          plan_y, supervisor_a, liaison_x, via):
    from tests.factories import LiaisonFactory
    from transitions.population import WelcomeCall

    case, _transition = _child_in_a_running_transition(county_a, program_a, plan_x, supervisor_a, job="call_list",
                                                       member=MemberFactory(county=county_a))
    call = WelcomeCall.objects.get()
    reader = UserFactory(organization=program_b)
    case_share(case=case, user=reader, reason="Transfer between counties")
    other_plan = LiaisonFactory(organization=plan_y)
    case_share(case=case, user=other_plan, reason="Coordination")

    def record(user, outcome) -> int:
        client.force_login(user)
        if via == "page":
            return client.post(reverse("transitions:population_call_record", args=[call.pk]), {"outcome": outcome}).status_code
        return client.post(f"/api/welcome-calls/{call.pk}/outcome/", {"outcome": outcome}, content_type="application/json").status_code

    assert record(reader, "wrong_number") == 403
    assert record(other_plan, "wrong_number") == 403
    call.refresh_from_db()
    assert call.outcome == "pending" and call.called_by is None
    assert record(liaison_x, "reached") in (200, 302)
    call.refresh_from_db()
    assert call.outcome == "reached" and call.called_by == liaison_x


def test_a_family_without_an_address_is_marked_reached_by_the_county_not_by_the_plan(client, county_a, program_a, program_b,
                                                                                   plan_x, supervisor_a, liaison_x):
    from transitions.population import FamilyNotice

    member = MemberFactory(county=county_a, address_line1="")
    case, transition = _child_in_a_running_transition(county_a, program_a, plan_x, supervisor_a, job="notices", member=member)
    family = FamilyNotice.objects.get(transition_member__case=case, notice__isnull=True)
    reader = UserFactory(organization=program_b)
    case_share(case=case, user=reader, reason="Transfer between counties")
    url = reverse("transitions:population_follow_up", args=[transition.pk])

    # The receiving plan's liaison sees the family on the list, without the action, and cannot record it.
    client.force_login(liaison_x)
    page = client.get(url).content.decode()
    assert member.full_name in page and "Family reached" not in page
    assert client.post(url, {"family_notice": family.pk}).status_code == 403
    # A worker of another county the case was shared with does not see the county's transition at all.
    client.force_login(reader)
    assert client.post(url, {"family_notice": family.pk}).status_code == 404
    family.refresh_from_db()
    assert family.follow_up_done_at is None

    client.force_login(supervisor_a)
    assert "Family reached" in client.get(url).content.decode()
    assert client.post(url, {"family_notice": family.pk}).status_code == 302
    family.refresh_from_db()
    assert family.follow_up_done_at is not None
