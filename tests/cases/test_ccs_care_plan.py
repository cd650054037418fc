"""Care plans (any program), the CCS Annual Medical Review clock, case conferences with action items as tasks."""
import datetime

import pytest
from django.utils import timezone

from carecoord.clocks.models import Deadline
from carecoord.errors import RuleViolation
from cases.care_plans import (
    care_plan_create, care_plan_goal_add, care_plan_intervention_add, care_plan_review_record, case_conference_record,
    review_clock_start,
)
from cases.ccs import ccs_link_provider
from cases.ccs_models import CarePlan, CaseConference
from cases.models import CareTeamMember, Task
from tests.cases.ccs_support import days_ago
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_care_plan_with_goals_interventions_and_owners(case_a, manager_a):
    plan = care_plan_create(case=case_a, title="CCS care plan", written_by=manager_a, summary="CF; strong family support")
    goal = care_plan_goal_add(care_plan=plan, description="Keep lung function stable", domain="medical", actor=manager_a)
    item = care_plan_intervention_add(goal=goal, description="Airway clearance twice daily", owner_name="Lucia (mother)",
                                      actor=manager_a)
    nurse_item = care_plan_intervention_add(goal=goal, description="Arrange SCC visit", owner=manager_a, actor=manager_a)
    assert item.owner_display == "Lucia (mother)" and nurse_item.owner_display == str(manager_a)
    with pytest.raises(RuleViolation) as exc:
        care_plan_intervention_add(goal=goal, description="Someone should call", actor=manager_a)
    assert exc.value.rule == "care_plan.intervention_owner"
    # writing a new plan closes the old one: one active plan per case
    care_plan_create(case=case_a, title="Revised plan", written_by=manager_a)
    assert CarePlan.objects.filter(case=case_a, status="active").count() == 1
    plan.refresh_from_db()
    assert plan.status == "closed"


def test_annual_medical_review_meets_the_clock_and_opens_the_next(case_a, manager_a):
    # given an eligible child whose annual review clock runs from eligibility
    first = review_clock_start(case=case_a, rule_code="ccs.annual_medical_review", started_at=days_ago(300))
    # when the nurse completes the Annual Medical Review
    care_plan_review_record(case=case_a, kind="annual_medical_review", summary="Family engaged; seen at SCC in May",
                            reviewed_by=manager_a, still_eligible=True)
    # then that clock is met and the next one runs 12 months from the review
    first.refresh_from_db()
    assert first.status == Deadline.Status.MET_ON_TIME and first.met_by == manager_a
    nxt = Deadline.objects.get(rule_code="ccs.annual_medical_review", status="open", case=case_a)
    assert nxt.due_at.date() >= timezone.localdate() + datetime.timedelta(days=364)


def test_case_conference_action_items_become_tasks(case_a, manager_a, supervisor_a):
    due = timezone.localdate() + datetime.timedelta(days=14)
    conference = case_conference_record(
        case=case_a, held_at=days_ago(0.1), notes="Discussed feeding plan and school support", recorded_by=manager_a,
        staff_participants=[manager_a, supervisor_a], other_participants=["Lucia Reyes (mother)", "Dr. Chen, SCC"],
        action_items=[{"title": "Request dietitian consult", "owner": manager_a, "due_date": due},
                      {"title": "Call school nurse", "due_date": due}])
    tasks = list(conference.tasks.order_by("title"))
    assert [t.title for t in tasks] == ["Call school nurse", "Request dietitian consult"]
    assert all(t.case == case_a and t.source == "case_conference" and t.due_date == due for t in tasks)
    assert set(conference.staff_participants.all()) == {manager_a, supervisor_a}
    with pytest.raises(RuleViolation) as exc:
        case_conference_record(case=case_a, held_at=days_ago(0.1), notes="x", recorded_by=manager_a)
    assert exc.value.rule == "conference.participants"
    assert CaseConference.objects.count() == 1 and Task.objects.count() == 2


def test_linking_medical_home_dental_and_scc_to_the_care_team(case_a, manager_a, county_a):
    scc = OrganizationFactory(name="Children's SCC", type="special_care_center", county=county_a)
    dental = OrganizationFactory(name="Smiles Dental", type="dental", county=county_a)
    assert ccs_link_provider(case=case_a, organization=scc, actor=manager_a).role == CareTeamMember.Role.SPECIALIST
    assert ccs_link_provider(case=case_a, organization=dental, actor=manager_a).role == CareTeamMember.Role.OTHER
    with pytest.raises(RuleViolation):
        ccs_link_provider(case=case_a, organization=dental, actor=manager_a)


def test_linking_a_provider_outside_the_members_plan_says_so_and_still_links(client, case_a, manager_a, county_a, plan_y):
    from django.urls import reverse

    from directory.services import profile_save

    # Given a CCS-paneled DME vendor that contracts with plan Y only (the member is in plan X)
    profile, _created = profile_save(name="Wheels DME", type="dme_vendor",
                                     profile_fields={"ccs_paneling": "paneled", "accepting_new_patients": True},
                                     services=[], plans=[plan_y], counties=[county_a])
    client.force_login(manager_a)
    # When the nurse links it to the child's care team
    response = client.post(reverse("ccs:link_provider", args=[case_a.pk]), {"organization": profile.organization.pk},
                           follow=True)
    # Then it is linked, and the page says it is outside the member's plan network
    assert CareTeamMember.objects.filter(case=case_a, organization=profile.organization).exists()
    page = response.content.decode()
    assert "Wheels DME joined the care team." in page and "not in the network of" in page
