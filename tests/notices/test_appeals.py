"""Grievances, appeals and hearing requests: the windows a Notice of Action opens, the clocks an appeal starts and meets."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from carecoord.clocks.models import Deadline
from carecoord.errors import RuleViolation
from notices.appeals import appeal_acknowledge, appeal_decide, appeal_record
from notices.models import Appeal
from notices.services import notice_create, notice_mark_mailed, notice_send

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def _clock(rule_code, subject):
    return Deadline.objects.get(rule_code=rule_code, subject_id=subject.pk, subject_type__model=subject._meta.model_name)


def _days(due_at, start):
    """Calendar-day clocks end at the end of the Pacific day: the number of days from the start's date."""
    return (timezone.localtime(due_at).date() - timezone.localtime(start).date()).days


def _mailed_noa(case, manager, context, kind="ccs_noa"):
    """A Notice of Action to the family, mailed today."""
    notice = notice_create(kind=kind, member=case.member, case=case, recipient_kind="family", channel="mail", context=context,
                           action_date=timezone.localdate() + 14 * DAY, created_by=manager)
    notice_send(notice=notice, by=manager)
    return notice_mark_mailed(notice=notice, mailed_on=timezone.localdate(), by=manager)


def test_a_ccs_appeal_meets_the_familys_window_is_answered_in_21_days_and_opens_the_fair_hearing_window(
        case_a, manager_a, noa_context):
    # Given a CCS Notice of Action mailed to the family: their 30-day window to appeal is open
    notice = _mailed_noa(case_a, manager_a, noa_context)
    window = _clock("ccs.appeal_filing_window", notice)
    assert window.status == "open" and _days(window.due_at, notice.sent_at) == 30
    # When the family's appeal is received
    received = timezone.now() - HOUR
    appeal = appeal_record(kind="ccs_appeal", member=case_a.member, case=case_a, notice=notice, received_at=received,
                           summary="The family disagrees with the denial of the wheelchair.", by=manager_a)
    # Then the window is met and the program has 21 days to answer
    window.refresh_from_db()
    assert window.status == "met_on_time"
    response = _clock("ccs.appeal_response", appeal)
    assert _days(response.due_at, received) == 21 and response.status == "open"
    assert case_a.timeline.filter(kind="appeal.received").exists()
    # When the decision upholds the denial
    appeal = appeal_decide(appeal=appeal, outcome="upheld", at=timezone.now(), notes="The criteria are not met.", by=manager_a)
    # Then the answer clock is met and the family has 14 days to ask for a fair hearing
    response.refresh_from_db()
    assert response.status == "met_on_time"
    hearing_window = _clock("ccs.fair_hearing_window", appeal)
    assert hearing_window.status == "open" and _days(hearing_window.due_at, appeal.decided_at) == 14
    # And their hearing request meets it
    hearing = appeal_record(kind="ccs_fair_hearing", member=case_a.member, case=case_a, appeal_of=appeal,
                            received_at=timezone.now(), summary="Asks for a State fair hearing.", by=manager_a)
    hearing_window.refresh_from_db()
    assert hearing_window.status == "met_on_time" and hearing.appeal_of == appeal


def test_a_plan_appeal_within_ten_days_keeps_aid_paid_pending_and_an_expedited_one_is_due_in_72_hours(
        case_a, manager_a, noa_context):
    notice = _mailed_noa(case_a, manager_a, noa_context, kind="advance_notice")
    assert _days(_clock("plan.appeal_filing_window", notice).due_at, notice.sent_at) == 60
    assert _days(_clock("plan.aid_paid_pending_window", notice).due_at, notice.sent_at) == 10
    received = timezone.now()
    appeal = appeal_record(kind="plan_appeal", member=case_a.member, case=case_a, notice=notice, received_at=received,
                           expedited=True, summary="Stopping the nursing hours now would endanger the child.", by=manager_a)
    assert appeal.aid_paid_pending is True
    assert _clock("plan.appeal_expedited", appeal).due_at - received == 72 * HOUR
    assert not Deadline.objects.filter(rule_code="plan.appeal_resolution").exists()
    assert {_clock(code, notice).status for code in ("plan.appeal_filing_window", "plan.aid_paid_pending_window")} == {"met_on_time"}
    # A decision for the plan opens the member's 120 days to ask for a State Hearing; one for the member does not
    appeal = appeal_decide(appeal=appeal, outcome="upheld", at=timezone.now(), notes="Hours reduced as planned.", by=manager_a)
    assert _days(_clock("plan.state_hearing_window", appeal).due_at, appeal.decided_at) == 120


def test_a_plan_appeal_after_the_ten_days_does_not_keep_aid_paid_pending(case_a, manager_a, noa_context):
    notice = _mailed_noa(case_a, manager_a, noa_context, kind="advance_notice")
    Deadline.objects.filter(rule_code="plan.aid_paid_pending_window").update(due_at=timezone.now() - HOUR)
    appeal = appeal_record(kind="plan_appeal", member=case_a.member, case=case_a, notice=notice,
                           received_at=timezone.now(), summary="Disagrees.", by=manager_a)
    assert appeal.aid_paid_pending is False
    assert _days(_clock("plan.appeal_resolution", appeal).due_at, appeal.received_at) == 30


def test_a_plan_grievance_is_acknowledged_in_5_days_and_resolved_in_30(case_a, manager_a):
    received = timezone.now() - 2 * DAY
    grievance = appeal_record(kind="plan_grievance", member=case_a.member, case=case_a, received_at=received,
                              summary="Waited three weeks for a call back.", by=manager_a)
    ack, resolution = _clock("plan.grievance_ack", grievance), _clock("plan.grievance_resolution", grievance)
    assert (_days(ack.due_at, received), _days(resolution.due_at, received)) == (5, 30)
    appeal_acknowledge(appeal=grievance, at=timezone.now(), by=manager_a)
    ack.refresh_from_db()
    assert ack.status == "met_on_time"
    appeal_decide(appeal=grievance, outcome="resolved", at=timezone.now(), notes="Apologised; new worker assigned.", by=manager_a)
    resolution.refresh_from_db()
    assert resolution.status == "met_on_time"
    assert not Deadline.objects.filter(rule_code="plan.state_hearing_window").exists()


def test_a_withdrawn_appeal_cancels_its_clocks(case_a, manager_a):
    grievance = appeal_record(kind="plan_grievance", member=case_a.member, case=case_a, received_at=timezone.now(),
                              summary="Billing question.", by=manager_a)
    appeal_decide(appeal=grievance, outcome="withdrawn", at=timezone.now(), notes="", by=manager_a)
    assert {_clock(code, grievance).status for code in ("plan.grievance_ack", "plan.grievance_resolution")} == {"cancelled"}


@pytest.mark.parametrize("change, field, rule", [
    ({"received_at": "future"}, "received_at", "appeal.date_future"),
    ({"summary": " "}, "summary", "appeal.summary_required"),
    ({"kind": "ccs_appeal", "expedited": True}, "expedited", "appeal.not_expeditable"),
    ({"kind": "ccs_fair_hearing"}, "appeal_of", "appeal.hearing_needs_appeal"),
    ({"kind": "ccs_appeal", "notice": "plan"}, "notice", "appeal.notice_kind"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(change, field, rule, case_a, manager_a, noa_context):
    values = {"kind": "plan_grievance", "received_at": timezone.now(), "summary": "Disagrees.", "expedited": False,
              "notice": None, **change}
    if values["received_at"] == "future":
        values["received_at"] = timezone.now() + DAY
    if values["notice"] == "plan":
        values["notice"] = _mailed_noa(case_a, manager_a, noa_context, kind="advance_notice")
    clocks_before = Deadline.objects.count()
    with pytest.raises(RuleViolation) as refused:
        appeal_record(member=case_a.member, case=case_a, by=manager_a, **values)
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert not Appeal.objects.exists() and Deadline.objects.count() == clocks_before


def test_a_hearing_needs_the_appeal_decided_and_a_decision_fits_the_kind(case_a, manager_a):
    appeal = appeal_record(kind="ccs_appeal", member=case_a.member, case=case_a, received_at=timezone.now(),
                           summary="Disagrees.", by=manager_a)
    with pytest.raises(RuleViolation) as early:
        appeal_record(kind="ccs_fair_hearing", member=case_a.member, case=case_a, appeal_of=appeal,
                      received_at=timezone.now(), summary="Hearing.", by=manager_a)
    assert early.value.rule == "appeal.hearing_before_decision"
    with pytest.raises(RuleViolation) as wrong_outcome:
        appeal_decide(appeal=appeal, outcome="resolved", at=timezone.now(), notes="x", by=manager_a)
    assert (wrong_outcome.value.field, wrong_outcome.value.rule) == ("outcome", "appeal.outcome")
    with pytest.raises(RuleViolation) as before_receipt:
        appeal_decide(appeal=appeal, outcome="upheld", at=appeal.received_at - DAY, notes="x", by=manager_a)
    assert before_receipt.value.rule == "appeal.date_order"
    appeal.refresh_from_db()
    assert appeal.decided_at is None and appeal.outcome == ""


def test_the_case_page_records_an_appeal_and_its_decision(client, case_a, manager_a, liaison_x):
    client.force_login(manager_a)
    response = client.post(reverse("notices:appeal_new", args=[case_a.pk]), {
        "kind": "plan_grievance", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "summary": "No interpreter at the visit."})
    assert response.status_code == 302
    grievance = Appeal.objects.get()
    page = client.get(reverse("case_detail", args=[case_a.pk]) + "?tab=appeals").content.decode()
    assert "No interpreter at the visit." in page and reverse("notices:appeal_decide", args=[grievance.pk]) in page
    # A decision without the notes the letter gives is refused on that field and changes nothing
    response = client.post(reverse("notices:appeal_decide", args=[grievance.pk]), {
        "outcome": "resolved", "decided_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "decision_notes": ""}, follow=True)
    assert "Decision: Say what was decided and why." in response.content.decode()
    grievance.refresh_from_db()
    assert grievance.decided_at is None
    # A plan liaison reads the case but does not write the county's appeals
    client.force_login(liaison_x)
    assert client.post(reverse("notices:appeal_new", args=[case_a.pk]), {"kind": "plan_grievance"}).status_code in (403, 404)
