"""Problem resolution between a county program and a plan, and the quarterly liaison meeting clock."""
import pytest
from django.utils import timezone

from carecoord.accounts.models import Organization
from carecoord.clocks.models import Deadline
from carecoord.errors import RuleViolation
from cases.ccs import liaison_meeting_record, problem_item_escalate, problem_item_open, problem_item_resolve
from cases.models import Task
from tests.cases.ccs_support import days_ago
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(program_a):
    state = OrganizationFactory(name="CMS Branch", type=Organization.Type.STATE_OFFICE, county=None)
    regional = OrganizationFactory(name="Northern Regional Office", type=Organization.Type.REGIONAL_OFFICE, county=None, parent=state)
    program_a.parent = regional
    program_a.save()
    return regional, state


def test_issue_escalates_local_then_regional_then_state_with_who_and_when(program_a, plan_x, manager_a, supervisor_a, offices):
    regional, state = offices
    item = problem_item_open(program=program_a, plan=plan_x, category="authorization", title="SARs returned unsigned",
                             description="Plan returns SARs for missing signatures", opened_by=manager_a)
    problem_item_escalate(item=item, by=supervisor_a, reason="No answer after two liaison calls")
    problem_item_escalate(item=item, by=supervisor_a, reason="Regional office could not resolve")
    item.refresh_from_db()
    assert item.level == "state_branch"
    steps = list(item.events.values_list("action", "level", "by", "referred_to"))
    assert steps == [("opened", "local", manager_a.pk, None), ("escalated", "regional_office", supervisor_a.pk, regional.pk),
                     ("escalated", "state_branch", supervisor_a.pk, state.pk)]
    with pytest.raises(RuleViolation) as exc:
        problem_item_escalate(item=item, by=supervisor_a, reason="again")
    assert exc.value.rule == "problem.top_level"
    problem_item_resolve(item=item, by=supervisor_a, resolution="Branch clarified the signature policy")
    item.refresh_from_db()
    assert item.status == "resolved" and item.resolved_at and item.events.last().action == "resolved"


def test_liaison_meetings_meet_the_quarterly_clock_and_make_tasks(program_a, plan_x, supervisor_a):
    first = liaison_meeting_record(program=program_a, plan=plan_x, held_at=days_ago(80), attendees="Grace (CCS), Kevin (plan)",
                                   minutes="Reviewed referrals", recorded_by=supervisor_a)
    clock = Deadline.objects.get(rule_code="all.liaison_meeting", subject_id=first.pk)
    assert clock.status == "open" and clock.organization == program_a
    second = liaison_meeting_record(program=program_a, plan=plan_x, held_at=days_ago(1), attendees="Grace, Kevin",
                                    minutes="Tracking list cadence agreed", recorded_by=supervisor_a,
                                    action_items=[{"title": "Send tracking list monthly"}])
    clock.refresh_from_db()
    assert clock.status == "met_on_time"
    assert Deadline.objects.get(rule_code="all.liaison_meeting", subject_id=second.pk).status == "open"
    assert [t.title for t in second.tasks.all()] == ["Send tracking list monthly"]
    assert Task.objects.get().source == "liaison_meeting"
    with pytest.raises(RuleViolation) as exc:
        liaison_meeting_record(program=program_a, plan=plan_x, held_at=days_ago(0.1), attendees="", minutes="x",
                               recorded_by=supervisor_a)
    assert exc.value.field == "attendees"


def test_a_meeting_that_reviews_the_protocols_starts_the_yearly_review_and_the_next_one_meets_it(
        program_a, plan_x, supervisor_a):
    # Given a meeting that reviewed the county and plan protocols
    review = liaison_meeting_record(program=program_a, plan=plan_x, held_at=days_ago(300), attendees="Grace, Kevin",
                                    minutes="Protocols reviewed", recorded_by=supervisor_a, protocols_reviewed=True)
    clock = Deadline.objects.get(rule_code="all.protocol_review", subject_id=review.pk)
    assert clock.status == "open" and clock.organization == program_a
    assert (timezone.localtime(clock.due_at).date() - timezone.localtime(review.held_at).date()).days in (365, 366)
    # A meeting that did not review them leaves the yearly clock running
    liaison_meeting_record(program=program_a, plan=plan_x, held_at=days_ago(200), attendees="Grace, Kevin",
                           minutes="Referrals", recorded_by=supervisor_a)
    clock.refresh_from_db()
    assert clock.status == "open"
    # The next review meets it and starts the next year's
    nxt = liaison_meeting_record(program=program_a, plan=plan_x, held_at=days_ago(1), attendees="Grace, Kevin",
                                 minutes="Protocols reviewed again", recorded_by=supervisor_a, protocols_reviewed=True)
    clock.refresh_from_db()
    assert clock.status == "met_on_time"
    assert Deadline.objects.get(rule_code="all.protocol_review", subject_id=nxt.pk).status == "open"
