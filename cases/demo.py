"""Demo CCS records for Sacramento County CCS, through the same services the pages use.

Five children walk the CCS path: one referral waiting for medical documentation, one
with the 5-working-day eligibility clock running (and a second, flagged duplicate
referral), one denied with other resources offered, and two eligible children with
diagnoses, authorizations (approved, pending standard, pending expedited), a care
plan, a case conference and linked providers. The demo's open CCS cases without CCS
details get a case number, diagnoses and an eligibility date. Plus a problem item
escalated to the regional office and the last quarterly liaison meeting with Valley
Health Plan. Idempotent: each child is found by CIN; each record by a stable key.
"""
from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from carecoord.clocks.models import Deadline

from . import care_plans, ccs
from .ccs_models import LiaisonMeeting, ProblemItem
from .models import Case, Coverage, Member, Program
from .services import case_update_details, coverage_add

REPORT = b"%PDF-1.4\n% carecoord demo medical report\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DIAGNOSES = [["E84.0"], ["Q21.0"], ["G80.1"], ["E10.9"], ["Q05.9", "N31.9"], ["C91.00"], ["D57.1"], ["Q90.9", "Q21.2"]]


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _report(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, REPORT, content_type="application/pdf")


def _child(ctx, *, cin: str, first: str, last: str, born: datetime.date, language: str = "en", plan_key: str = "plan_valley"):
    """The demo child with this CIN, or None when already loaded (then its scenario is skipped)."""
    if Member.objects.filter(cin=cin).exists():
        return None
    return {"county": ctx.counties["Sacramento"], "first_name": first, "last_name": last, "date_of_birth": born, "cin": cin,
            "preferred_language": language, "address_line1": "2400 Broadway", "city": "Sacramento", "zip_code": "95818",
            "phone": "916-555-0177", "primary_care_provider": ctx.orgs["pcp"]}, plan_key


def _intake(ctx, data, *, source: str, days: float, condition: str, reporter: str, source_org=None, documents: int = 1):
    new_member, plan_key = data
    result = ccs.ccs_referral_intake(
        actor=ctx.users["nurse"], organization=ctx.orgs["ccs_sac"], source=source, new_member=new_member,
        suspected_condition=condition, reporter_name=reporter, reporter_phone="916-555-0142", source_organization=source_org,
        referred_at=_ago(days), uploads=[_report(f"report-{i + 1}.pdf") for i in range(documents)],
    )
    coverage_add(member=result.case.member, kind=Coverage.Kind.MCP, plan=ctx.orgs[plan_key],
                 start_date=timezone.localdate() - datetime.timedelta(days=400))
    return result


def _consent_to_providers(ctx, member) -> None:
    """The parent's release to the child's primary care and treating providers (CCS application)."""
    from consents.services import consent_record

    today = timezone.localdate()
    consent_record(member=member, kind="hipaa_authorization", recorded_by=ctx.users["nurse"],
                   purposes=["care_coordination", "treatment"], data_categories=["general"],
                   recipient_categories=["primary_care", "treating_providers"], effective_on=today - datetime.timedelta(days=60),
                   expires_on=today + datetime.timedelta(days=365), description_of_information="CCS eligibility and case information",
                   discloser="Sacramento County CCS", signed_by_name=f"Parent of {member.first_name}",
                   signed_on=today - datetime.timedelta(days=60), statement_right_to_revoke=True,
                   statement_treatment_not_conditioned=True, statement_redisclosure=True)


def _eligible(ctx, result, *, days: float, diagnoses: list[str], reason: str) -> Case:
    nurse, consultant = ctx.users["nurse"], ctx.users["consultant"]
    case = result.case
    _consent_to_providers(ctx, case.member)
    if result.referral.source_organization_id:  # the referring physician treats the child: on the care team
        ccs.ccs_link_provider(case=case, organization=result.referral.source_organization, actor=nurse)
    ccs.ccs_documentation_adequate(case=case, by=nurse, at=_ago(days + 2))
    for kind in ("residential", "financial"):
        ccs.eligibility_decide(case=case, kind=kind, outcome="eligible", decided_by=nurse, decided_at=_ago(days + 1),
                               reason="Resides in Sacramento County" if kind == "residential" else "Full-scope Medi-Cal")
    ccs.eligibility_decide(case=case, kind="medical", outcome="eligible", reason=reason, diagnoses=diagnoses,
                           decided_by=consultant, decided_at=_ago(days))
    case.refresh_from_db()
    return case


def load_ccs_children(ctx) -> None:
    nurse, consultant = ctx.users["nurse"], ctx.users["consultant"]

    data = _child(ctx, cin="92000001A", first="Emilia", last="Vargas", born=datetime.date(2019, 8, 14), language="es")
    if data:  # a school nurse's call; the family is gathering the cardiology records
        _intake(ctx, data, source="school", days=2, condition="Heart murmur, possible congenital heart disease",
                reporter="Jo Park, school nurse", documents=0)

    data = _child(ctx, cin="92000002B", first="Marcus", last="Bell", born=datetime.date(2016, 2, 3))
    if data:  # documentation complete yesterday: the consultant's 5-working-day clock is running
        result = _intake(ctx, data, source="provider", days=4, condition="Type 1 diabetes, new onset",
                         reporter="Dr. Alvarez", source_org=ctx.orgs["pcp"], documents=2)
        ccs.ccs_documentation_adequate(case=result.case, by=nurse, at=_ago(1))
        # the mother calls too: recorded, flagged as a possible duplicate, joined to the same case
        ccs.ccs_referral_intake(actor=nurse, organization=ctx.orgs["ccs_sac"], source="family", member=result.case.member,
                                suspected_condition="Diabetes", reporter_name="Tanya Bell (mother)", referred_at=_ago(0.5))

    data = _child(ctx, cin="92000003C", first="Noah", last="Pham", born=datetime.date(2014, 11, 30), language="vi")
    if data:  # not CCS-eligible; other resources offered
        result = _intake(ctx, data, source="health_plan", days=20, condition="Asthma", reporter="Valley Health Plan UM nurse",
                         source_org=ctx.orgs["plan_valley"])
        _consent_to_providers(ctx, result.case.member)
        ccs.ccs_documentation_adequate(case=result.case, by=nurse, at=_ago(18))
        ccs.eligibility_decide(case=result.case, kind="medical", outcome="not_eligible", decided_by=consultant,
                               decided_at=_ago(16), reason="Mild intermittent asthma is not a CCS-eligible condition",
                               other_resources_offered="Valley Health Plan asthma case management; Breathe California "
                                                       "community asthma program; school nurse action plan")

    data = _child(ctx, cin="92000004D", first="Lily", last="Okafor", born=datetime.date(2012, 6, 21))
    if data:  # eligible: CF, authorizations, care plan, conference, linked providers
        result = _intake(ctx, data, source="provider", days=60, condition="Cystic fibrosis (positive newborn screen)",
                         reporter="Dr. Chen, pulmonology", source_org=ctx.orgs["pulm"])
        case = _eligible(ctx, result, days=55, diagnoses=["E84.0", "E84.19"], reason="Sweat chloride 92 mmol/L; CFTR F508del homozygous")
        referral_day = timezone.localtime(result.referral.referred_at).date()
        sar = ccs.sar_request(case=case, service="Pulmonology and CF clinic visits", provider=ctx.orgs["scc"],
                              start_date=referral_day, end_date=referral_day + datetime.timedelta(days=365),
                              requested_by=nurse, requested_at=_ago(50), quantity="6 visits", service_code="99214",
                              diagnosis="E84.0")
        ccs.sar_decide(sar=sar, decision="approved", decided_by=consultant, decided_at=_ago(48),
                       medical_necessity_review="CF care at a CCS Special Care Center is standard of care")
        sar = ccs.sar_request(case=case, service="High-frequency chest wall oscillation vest", provider=ctx.orgs["dme"],
                              start_date=timezone.localdate(), end_date=timezone.localdate() + datetime.timedelta(days=365),
                              requested_by=nurse, requested_at=_ago(2), service_code="E0483")
        ccs.sar_decide(sar=sar, decision="modified", decided_by=consultant, decided_at=_ago(1),
                       medical_necessity_review="Airway clearance needed; vest rental first",
                       reason="Rental for 3 months before purchase", approved_terms="3-month rental")
        ccs.sar_request(case=case, service="Dornase alfa (compounded dosing)", provider=ctx.orgs["pharmacy"],
                        start_date=timezone.localdate(), end_date=timezone.localdate() + datetime.timedelta(days=180),
                        requested_by=nurse, requested_at=_ago(1))
        plan = care_plans.care_plan_create(case=case, title="CCS care plan — cystic fibrosis", written_by=nurse, written_at=_ago(45),
                                           summary="Lily attends 5th grade; mother manages airway clearance; family speaks English.")
        goal = care_plans.care_plan_goal_add(care_plan=plan, description="Keep lung function (FEV1) above 85%", domain="medical",
                                             actor=nurse, target_date=timezone.localdate() + datetime.timedelta(days=180))
        care_plans.care_plan_intervention_add(goal=goal, description="Airway clearance twice daily", owner_name="Mrs. Okafor (mother)",
                                              actor=nurse)
        care_plans.care_plan_intervention_add(goal=goal, description="Quarterly CF clinic at the Special Care Center",
                                              owner_organization=ctx.orgs["scc"], actor=nurse)
        goal = care_plans.care_plan_goal_add(care_plan=plan, description="Keep weight at or above the 50th percentile",
                                             domain="nutrition", actor=nurse)
        care_plans.care_plan_intervention_add(goal=goal, description="Arrange dietitian visit and enzyme refills", owner=nurse,
                                              actor=nurse, due_date=timezone.localdate() + datetime.timedelta(days=10))
        care_plans.case_conference_record(
            case=case, held_at=_ago(30), recorded_by=nurse, staff_participants=[nurse, consultant],
            other_participants=["Mrs. Okafor (mother)", "Dr. Chen, CF center", "Maya Ruiz, school nurse"],
            notes="Reviewed hospital discharge; school needs a 504 plan for enzyme doses at lunch.",
            action_items=[{"title": "Send CF care summary to the school nurse", "owner": nurse,
                           "due_date": timezone.localdate() + datetime.timedelta(days=7)}])
        for key in ("pcp", "scc", "pharmacy", "dme"):
            ccs.ccs_link_provider(case=case, organization=ctx.orgs[key], actor=nurse)

    data = _child(ctx, cin="92000005E", first="Diego", last="Santos", born=datetime.date(2017, 3, 9), language="es",
                  plan_key="plan_golden")
    if data:  # eligible for cerebral palsy; Medical Therapy Program; expedited request pending
        result = _intake(ctx, data, source="hospital", days=120, condition="Spastic cerebral palsy",
                         reporter="Riverside discharge planner", source_org=ctx.orgs["hospital"])
        case = _eligible(ctx, result, days=115, diagnoses=["G80.1"], reason="Spastic diplegia confirmed by neurology")
        ccs.sar_request(case=case, service="Orthotic evaluation (AFOs)", provider=ctx.orgs["hospital"],
                        start_date=timezone.localdate(), end_date=timezone.localdate() + datetime.timedelta(days=90),
                        requested_by=nurse, requested_at=_ago(0.5), expedited=True)


def fill_open_cases(ctx) -> None:
    """The core demo's open CCS cases get the CCS details an eligible child has."""
    for index, case in enumerate(Case.objects.filter(program=Program.CCS, status=Case.Status.OPEN, case_number="",
                                                     pk__in=[c.pk for c in ctx.cases.get("ccs", [])]).order_by("pk")):
        eligibility_date = timezone.localtime(case.opened_at or case.referred_at).date()
        case = case_update_details(case=case, expected_version=case.version, actor=ctx.users["nurse"],
                                   eligibility_date=eligibility_date, diagnoses=DIAGNOSES[index % len(DIAGNOSES)])
        case_update_details(case=case, expected_version=case.version, actor=ctx.users["nurse"],
                            case_number=ccs.ccs_case_number(case))
        if not Deadline.objects.filter(case=case, rule_code=ccs.ANNUAL_REVIEW).exists():
            care_plans.review_clock_start(case=case, rule_code=ccs.ANNUAL_REVIEW, started_at=case.opened_at or _ago(30))


def load_problem_log(ctx) -> None:
    program, plan, supervisor = ctx.orgs["ccs_sac"], ctx.orgs["plan_valley"], ctx.users["supervisor"]
    title = "Plan returns CCS SARs without the referral date"
    item = ProblemItem.objects.filter(program=program, plan=plan, title=title).first()
    if item is None:
        item = ccs.problem_item_open(program=program, plan=plan, category="authorization", title=title, opened_by=ctx.users["nurse"],
                                     opened_at=_ago(40), description="Valley Health Plan's UM team rejects CCS authorizations "
                                     "dated from the referral date; three families were billed.")
        ccs.problem_item_escalate(item=item, by=supervisor, at=_ago(20),
                                  reason="Not resolved at two liaison calls; the plan asks for the regional office's reading.")
    title = "Tracking list delivery day"
    if not ProblemItem.objects.filter(program=program, plan=plan, title=title).exists():
        done = ccs.problem_item_open(program=program, plan=plan, category="communication", title=title, opened_by=supervisor,
                                     opened_at=_ago(75), description="The plan needs the tracking list before its monthly UM meeting.")
        ccs.problem_item_resolve(item=done, by=supervisor, at=_ago(70), resolution="Plan pulls the API list on the 1st; CSV as backup.")
    if not LiaisonMeeting.objects.filter(program=program, plan=plan).exists():
        ccs.liaison_meeting_record(
            program=program, plan=plan, held_at=_ago(70), recorded_by=supervisor, problem_items=[item], protocols_reviewed=True,
            attendees="Grace Okafor (CCS supervising nurse), Kevin Cho (Valley Health Plan CCS liaison), Dr. Priya Raman",
            minutes="Reviewed referral volumes and the tracking list; discussed SAR dating from the referral date. "
                    "Went through the county/plan protocols for the year.",
            action_items=[{"title": "Share the CCS SAR dating policy with the plan's UM team", "owner": supervisor,
                           "due_date": timezone.localdate() + datetime.timedelta(days=14)}])


def load(ctx) -> None:
    load_ccs_children(ctx)
    fill_open_cases(ctx)
    load_problem_log(ctx)
