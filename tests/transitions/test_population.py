"""Whole Child Model population transitions: selection, hand-over clocks and files, family notices exactly once,
continuity of care, readiness and welcome calls (services and API, against the real database)."""
import csv
import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.test import APIClient

from carecoord.accounts.services import api_token_issue
from carecoord.clocks.models import Deadline
from carecoord.errors import RuleViolation
from cases.models import Case, CareTeamMember, ServiceAuthorization
from consents.models import Disclosure
from notices.models import Notice
from tests.factories import CaseFactory, CoverageFactory, LiaisonFactory, MemberFactory, ProviderFactory, UserFactory
from tests.transitions.factories import transition_date_ahead
from transitions import population_services as svc
from transitions.population import (
    BulkJob, ContinuityOfCareAgreement, DataDelivery, FamilyNotice, PopulationTransition, PopulationTransitionMember,
    ReadinessItem, WelcomeCall,
)

DATE = transition_date_ahead()


def _child(county, program_org, plan, **member):
    m = MemberFactory(county=county, **member)
    CoverageFactory(member=m, plan=plan)
    return CaseFactory(member=m, organization=program_org)


@pytest.fixture
def world(county_a, county_b, program_a, program_b, plan_x, plan_y, supervisor_a):
    return {
        "in_a": [_child(county_a, program_a, plan_x), _child(county_a, program_a, plan_x, preferred_language="es"),
                 _child(county_a, program_a, plan_x, address_line1="")],
        "other_plan": _child(county_a, program_a, plan_y),
        "closed": CaseFactory(member=CoverageFactory(member=MemberFactory(county=county_a), plan=plan_x).member,
                              organization=program_a, status=Case.Status.CLOSED, closed_reason="moved",
                              closed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)),
        "ecm": CaseFactory(member=CoverageFactory(member=MemberFactory(county=county_a), plan=plan_x).member,
                           organization=program_a, program="ecm"),
        "in_b": [_child(county_b, program_b, plan_x), _child(county_b, program_b, plan_x)],
    }


def _transition(county_a, program_a, plans, supervisor_a, *, date=DATE):
    return svc.population_transition_create(name="County A to the Whole Child Model", county=county_a, county_program=program_a,
                                            plans=plans, transition_date=date, created_by=supervisor_a)


def _confirmed(county_a, program_a, plan_x, supervisor_a, *, date=DATE):
    transition = _transition(county_a, program_a, [plan_x], supervisor_a, date=date)
    return svc.population_transition_confirm(transition=transition, by=supervisor_a)


# --------------------------------------------------------------------------- selection


def test_selects_only_the_county_and_plan_children(world, county_a, program_a, plan_x, supervisor_a):
    # given CCS children in two counties, with two plans, plus a closed CCS case and an ECM case in county A
    transition = _transition(county_a, program_a, [plan_x], supervisor_a)
    # when the preview is shown: nothing is selected yet
    preview = set(svc.affected_cases(county=county_a, plan_ids=[plan_x.pk]).values_list("pk", flat=True))
    assert not PopulationTransitionMember.objects.exists()
    # then it lists exactly county A's open CCS children enrolled in plan X
    assert preview == {c.pk for c in world["in_a"]}
    # and confirming snapshots those children, with the plan and each family's language
    svc.population_transition_confirm(transition=transition, by=supervisor_a)
    transition.refresh_from_db()
    rows = PopulationTransitionMember.objects.filter(transition=transition)
    assert {r.case_id for r in rows} == preview and transition.member_count == 3
    assert transition.status == PopulationTransition.Status.CONFIRMED
    assert {r.plan_id for r in rows} == {plan_x.pk}
    assert rows.get(case=world["in_a"][1]).language == "es"
    assert rows.get(case=world["in_a"][2]).address_valid is False
    assert world["in_a"][0].timeline.filter(kind="wcm.selected").count() == 1
    # and confirming again is refused
    with pytest.raises(RuleViolation) as exc:
        svc.population_transition_confirm(transition=transition, by=supervisor_a)
    assert exc.value.rule == "wcm.already_confirmed"


def test_create_refuses_bad_input_and_writes_nothing(world, county_a, program_a, program_b, plan_x, supervisor_a, manager_a):
    cases = [
        ({"transition_date": datetime.date(2020, 1, 1)}, "transition_date", "wcm.date_future"),
        ({"plans": []}, "plans", "wcm.plans_required"),
        ({"county_program": program_b}, "county_program", "wcm.county_program"),
        ({"created_by": manager_a}, "__all__", "wcm.not_allowed"),
    ]
    for override, field, rule in cases:
        args = {"name": "T", "county": county_a, "county_program": program_a, "plans": [plan_x], "transition_date": DATE,
                "created_by": supervisor_a, **override}
        with pytest.raises(RuleViolation) as exc:
            svc.population_transition_create(**args)
        assert (exc.value.field, exc.value.rule) == (field, rule)
    assert not PopulationTransition.objects.exists() and not ReadinessItem.objects.exists()


# --------------------------------------------------------------------------- clocks and files


def test_handover_and_notice_clocks_fall_on_the_right_dates(world, county_a, program_a, plan_x, plan_y, supervisor_a):
    # given a transition on a Monday into two plans
    transition = svc.population_transition_confirm(
        transition=_transition(county_a, program_a, [plan_x, plan_y], supervisor_a), by=supervisor_a)
    deadlines = Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(PopulationTransition), subject_id=transition.pk)

    def due(rule, occurrence=""):
        local = timezone.localtime(deadlines.get(rule_code=rule, occurrence=occurrence).due_at)
        assert (local.hour, local.minute) == (23, 59)  # the whole day counts
        return local.date()

    # then utilization/SAR data is due 45 days before, identification data 30 days before (calendar days: a
    # weekend day stays), one clock per receiving plan
    for plan in (plan_x, plan_y):
        occurrence = svc.plan_occurrence(plan.pk)
        assert due("wcm.utilization_sar_data", occurrence) == DATE - datetime.timedelta(days=45)
        assert due("wcm.identification_data", occurrence) == DATE - datetime.timedelta(days=30)
    # and the family notices 90, 60 and 30 days before
    assert due("wcm.family_notice_90") == DATE - datetime.timedelta(days=90)
    assert due("wcm.family_notice_60") == DATE - datetime.timedelta(days=60)
    assert due("wcm.family_notice_30") == DATE - datetime.timedelta(days=30)
    assert deadlines.count() == 7


def _api(user):
    client = APIClient()
    _, raw = api_token_issue(user=user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_plan_downloads_its_files_through_the_api_and_the_delivery_meets_the_clock(world, county_a, program_a, plan_x, plan_y,
                                                                                     supervisor_a, liaison_x):
    # given a confirmed transition of plan X's children, one with an approved SAR
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    provider = ProviderFactory(name="Capitol Pulmonology", npi="1234567893")
    ServiceAuthorization.objects.create(case=world["in_a"][0], service="Pulmonology follow-up", provider=provider,
                                        start_date=DATE - datetime.timedelta(days=270), end_date=DATE + datetime.timedelta(days=90),
                                        decision="approved", decided_at=timezone.now())
    client = _api(liaison_x)
    # when plan X's liaison downloads the identification file
    response = client.get(f"/api/transitions/{transition.pk}/files/identification/")
    # then it holds plan X's three children of county A, and nobody else
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["cin"] for r in rows} == {c.member.cin for c in world["in_a"]}
    # and each child went to the accounting of disclosures, the delivery is recorded and the clock met on time
    assert Disclosure.objects.filter(recipient=plan_x, description__startswith="CCS identification").count() == 3
    delivery = DataDelivery.objects.get(transition=transition, kind="identification")
    assert (delivery.plan, delivery.delivered_to, delivery.children, delivery.withheld) == (plan_x, liaison_x, 3, 0)
    clock = Deadline.objects.get(rule_code="wcm.identification_data", subject_id=transition.pk)
    assert clock.status == Deadline.Status.MET_ON_TIME
    # and the utilization file carries the SAR
    sar = list(csv.DictReader(io.StringIO(client.get(f"/api/transitions/{transition.pk}/files/utilization_sar/").content.decode())))
    assert [(r["cin"], r["service"], r["provider_npi"]) for r in sar] == [(world["in_a"][0].member.cin, "Pulmonology follow-up", "1234567893")]
    # and another plan's liaison cannot see the transition at all
    assert _api(LiaisonFactory(organization=plan_y)).get(f"/api/transitions/{transition.pk}/files/identification/").status_code == 404


def test_the_plans_file_never_hands_a_spreadsheet_a_formula(world, county_a, program_a, plan_x, supervisor_a, liaison_x):
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    # given a child whose family name, as typed, begins with a formula character
    member = world["in_a"][0].member
    member.last_name = '=HYPERLINK("http://x")'
    member.save()
    # when the plan downloads the identification file
    rows = list(csv.DictReader(io.StringIO(_api(liaison_x).get(f"/api/transitions/{transition.pk}/files/identification/").content.decode())))
    # then the cell is text to a spreadsheet, not a formula
    assert next(r for r in rows if r["cin"] == member.cin)["last_name"] == "'=HYPERLINK(\"http://x\")"


def test_a_child_whose_coverage_ended_is_withheld_from_the_plan(world, county_a, program_a, plan_x, supervisor_a, liaison_x):
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    # given one child's coverage with the plan ended after the selection
    gone = world["in_a"][0].member
    gone.coverages.update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    # when the plan downloads the file
    rows = list(csv.DictReader(io.StringIO(_api(liaison_x).get(f"/api/transitions/{transition.pk}/files/identification/").content.decode())))
    # then that child is left out and counted as withheld, with no disclosure written for them
    assert gone.cin not in {r["cin"] for r in rows}
    assert DataDelivery.objects.get(transition=transition).withheld == 1
    assert not Disclosure.objects.filter(member=gone).exists()


# --------------------------------------------------------------------------- notices exactly once


@pytest.fixture
def small_batches(settings):
    settings.CARECOORD = {**settings.CARECOORD, "POPULATION_JOB_BATCH_SIZE": 1, "POPULATION_JOB_LEASE_SECONDS": 0}


def _notices_per_family(transition, kind):
    return list(Notice.objects.filter(kind=kind, case__population_transitions__transition=transition)
                .values_list("case_id", flat=True).order_by("case_id"))


def test_each_wave_is_sent_once_per_family_even_when_the_job_dies_and_is_rerun(world, county_a, program_a, plan_x, supervisor_a,
                                                                               small_batches, monkeypatch):
    # a transition far enough ahead that a notice sent today meets its 90-day clock on time, whatever today is
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a,
                            date=timezone.localdate() + datetime.timedelta(days=120))
    job = svc.bulk_job_start(transition=transition, kind="notices", wave="90", by=supervisor_a)
    # given a worker that dies in the middle of the second family's notice
    import notices.services

    real_send, calls = notices.services.notice_send, []

    def dying_send(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_send(**kwargs)

    monkeypatch.setattr(notices.services, "notice_send", dying_send)
    with pytest.raises(SystemExit):
        svc.bulk_job_run(job.pk)
    job.refresh_from_db()
    # then only the batches before the dying one are committed, with the cursor after them
    assert job.status == BulkJob.Status.RUNNING and 0 < job.processed == FamilyNotice.objects.count() < 3
    assert Notice.objects.count() == 1
    # when the job is run again (the dead runner's lease has run out), twice, and a new job of the same wave is started
    monkeypatch.setattr(notices.services, "notice_send", real_send)
    svc.bulk_job_run(job.pk)
    svc.bulk_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE and job.processed == 3 and job.runs == 2
    again = svc.bulk_job_start(transition=transition, kind="notices", wave="90", by=supervisor_a)
    assert again.pk != job.pk
    svc.bulk_job_run(again.pk)
    again.refresh_from_db()
    # then every family with an address got exactly one 90-day notice, in its language; the rerun wrote nothing
    with_address = sorted(c.pk for c in world["in_a"][:2])
    assert _notices_per_family(transition, "wcm_transition_90") == with_address
    assert Notice.objects.get(case=world["in_a"][1]).language == "es"
    assert Notice.objects.filter(status=Notice.Status.QUEUED).count() == 2
    assert (again.created, again.skipped) == (0, 3)
    # and the family without an address is listed for follow-up instead
    follow_up = FamilyNotice.objects.get(transition_member__case=world["in_a"][2])
    assert follow_up.notice is None and follow_up.follow_up_reason
    # and the 90-day clock is met; the 60 and 30-day ones still run
    notice_clocks = dict(Deadline.objects.filter(subject_id=transition.pk, rule_code__startswith="wcm.family_notice")
                         .values_list("rule_code", "status"))
    assert notice_clocks == {"wcm.family_notice_90": "met_on_time", "wcm.family_notice_60": "open", "wcm.family_notice_30": "open"}


def test_all_three_waves_each_once_even_with_the_cursor_lost(world, county_a, program_a, plan_x, supervisor_a, small_batches):
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    for wave in ("90", "60", "30"):
        job = svc.bulk_job_start(transition=transition, kind="notices", wave=wave, by=supervisor_a)
        svc.bulk_job_run(job.pk, max_batches=2)
        # given a cursor that went back to the start (the worst case of a lost cursor)
        BulkJob.objects.filter(pk=job.pk).update(cursor=0, lease_until=None)
        svc.bulk_job_run(job.pk)
    # then each family with an address has one notice of each wave: no family got one twice
    for wave in ("90", "60", "30"):
        assert _notices_per_family(transition, f"wcm_transition_{wave}") == sorted(c.pk for c in world["in_a"][:2])
    assert FamilyNotice.objects.count() == 9


def test_the_same_job_is_not_run_by_two_runners_at_once(world, county_a, program_a, plan_x, supervisor_a, settings):
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    job = svc.bulk_job_start(transition=transition, kind="call_list", by=supervisor_a)
    # given a runner holding the job's lease
    BulkJob.objects.filter(pk=job.pk).update(status="running", runs=1,
                                             lease_until=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))
    # when another runner picks it up, it does nothing
    svc.bulk_job_run(job.pk)
    assert not WelcomeCall.objects.exists()
    # and "resume" is refused while the lease holds
    with pytest.raises(RuleViolation) as exc:
        svc.bulk_job_resume(job=job, by=supervisor_a)
    assert exc.value.rule == "wcm.job_running"


# --------------------------------------------------------------------------- continuity of care, readiness, calls


def test_continuity_of_care_agreement_per_provider_and_child_for_twelve_months(world, county_a, program_a, plan_x, supervisor_a):
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    case = world["in_a"][0]
    pulmonology, dme, pcp = ProviderFactory(name="Pulmonology"), ProviderFactory(name="DME", type="dme_vendor"), \
        ProviderFactory(name="Family Medicine", type="medical_home")
    ServiceAuthorization.objects.create(case=case, service="Clinic visits", provider=pulmonology, start_date=DATE - datetime.timedelta(days=420),
                                        end_date=DATE - datetime.timedelta(days=60), decision="approved",
                                        decided_at=timezone.now())
    CareTeamMember.objects.create(case=case, role=CareTeamMember.Role.SPECIALIST, contact_name="DME desk", organization=dme)
    case.member.primary_care_provider = pcp
    case.member.save()
    # when the continuity job runs twice
    for _ in range(2):
        job = svc.bulk_job_start(transition=transition, kind="continuity", by=supervisor_a)
        svc.bulk_job_run(job.pk)
    # then the child has one agreement with each existing provider, from the date for 12 months, each with its window clock
    agreements = ContinuityOfCareAgreement.objects.filter(transition_member__case=case)
    assert {(a.provider.name, a.source) for a in agreements} == {("Pulmonology", "sar"), ("DME", "care_team"), ("Family Medicine", "pcp")}
    assert {(a.starts_on, a.ends_on, a.plan_id) for a in agreements} == {(DATE, DATE.replace(year=DATE.year + 1), plan_x.pk)}
    windows = Deadline.objects.filter(rule_code="mcp.continuity_of_care_window", case=case)
    assert windows.count() == 3


def test_the_plan_cannot_be_marked_ready_while_an_item_is_open(world, county_a, program_a, plan_x, supervisor_a):
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    items = list(transition.readiness_items.all())
    assert {i.kind for i in items} == {"mou_signed", "policies_reviewed", "deficiencies_corrected", "staffing_training",
                                       "regular_meetings"}
    assert all(i.due_date < DATE for i in items)
    for item in items[:-1]:
        svc.readiness_item_complete(item=item, by=supervisor_a)
    # when the supervisor marks the plan ready with one item still open
    with pytest.raises(RuleViolation) as exc:
        svc.population_transition_mark_ready(transition=transition, by=supervisor_a)
    # then it is refused naming the open item, and nothing changed
    assert (exc.value.field, exc.value.rule) == ("readiness", "wcm.readiness_open_items")
    assert items[-1].title in exc.value.message
    transition.refresh_from_db()
    assert transition.status == PopulationTransition.Status.CONFIRMED and transition.ready_at is None
    # and once the last item is done, it is ready
    svc.readiness_item_complete(item=items[-1], by=supervisor_a)
    assert svc.population_transition_mark_ready(transition=transition, by=supervisor_a).status == PopulationTransition.Status.READY


def test_a_deficiency_must_be_corrected_before_the_date(world, county_a, program_a, plan_x, supervisor_a):
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    with pytest.raises(RuleViolation) as exc:
        svc.readiness_item_add(transition=transition, title="Fix the UM delegation", due_date=DATE, by=supervisor_a,
                               kind="deficiencies_corrected")
    assert (exc.value.field, exc.value.rule) == ("due_date", "wcm.deficiency_before_date")
    assert transition.readiness_items.count() == 5


def test_welcome_calls_record_outcomes_through_the_api(world, county_a, program_a, plan_x, supervisor_a, liaison_x):
    transition = _confirmed(county_a, program_a, plan_x, supervisor_a)
    svc.bulk_job_run(svc.bulk_job_start(transition=transition, kind="call_list", by=supervisor_a).pk)
    client = _api(liaison_x)
    # given the plan's call list
    listed = client.get(f"/api/population-transitions/{transition.pk}/calls/").json()["results"]
    assert len(listed) == 3 and {c["outcome"] for c in listed} == {"pending"}
    call_id = listed[0]["id"]
    # when questions were raised but none written down, it is refused and nothing is written
    response = client.post(f"/api/welcome-calls/{call_id}/outcome/", {"outcome": "questions_raised"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "questions" and response.json()["errors"][0]["rule"] == "wcm.call_questions"
    assert WelcomeCall.objects.get(pk=call_id).attempts == 0
    # when the call is recorded with the questions and a follow-up date
    follow_up = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    response = client.post(f"/api/welcome-calls/{call_id}/outcome/",
                           {"outcome": "questions_raised", "questions": "Will the pulmonologist still see him?", "follow_up_on": follow_up},
                           format="json")
    # then it is kept with the follow-up
    assert response.status_code == 200
    call = WelcomeCall.objects.get(pk=call_id)
    assert (call.outcome, call.attempts, call.follow_up_on.isoformat(), call.called_by) == ("questions_raised", 1, follow_up, liaison_x)


def test_the_plan_sees_its_transition_counts_and_clocks(world, county_a, program_a, plan_x, supervisor_a, liaison_x):
    draft = _transition(county_a, program_a, [plan_x], supervisor_a)
    client = _api(liaison_x)
    assert client.get("/api/population-transitions/").json()["results"] == []  # a draft is the county's alone
    svc.population_transition_confirm(transition=draft, by=supervisor_a)
    body = client.get(f"/api/population-transitions/{draft.pk}/").json()
    assert body["children"] == 3 and {c["rule"] for c in body["clocks"]} == {"wcm.identification_data", "wcm.utilization_sar_data"}


def test_other_users_cannot_manage(world, county_a, program_a, plan_x, supervisor_a, manager_a, liaison_x):
    transition = _transition(county_a, program_a, [plan_x], supervisor_a)
    for user in (manager_a, liaison_x, UserFactory(role="supervisor")):
        with pytest.raises(RuleViolation):
            svc.population_transition_confirm(transition=transition, by=user)
    assert PopulationTransition.objects.get(pk=transition.pk).status == "draft"
