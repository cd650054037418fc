"""Date rules, clocks, sending through the outbox, delivery tracking, returned letters and acknowledgement."""
import datetime

import pytest
from django.core import mail
from django.utils import timezone

from carecoord.clocks.models import Deadline, OutboxMessage
from carecoord.clocks.outbox import handler_for
from carecoord.clocks.services import deadline_start
from carecoord.errors import RuleViolation
from cases.models import Task
from notices.models import Notice, NoticeEvent
from notices.services import (
    notice_acknowledge, notice_create, notice_mark_mailed, notice_mark_returned, notice_send,
)
from notices.signals import notice_sent

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _deliver(notice):
    """Run the outbox handler for the notice's message, as the dispatcher does."""
    message = OutboxMessage.objects.get(key=f"notice:{notice.pk}:send")
    handler_for(message.channel)(message)
    return Notice.objects.get(pk=notice.pk)


@pytest.mark.parametrize("kind", ["noa_plan_choice", "advance_notice", "ccs_noa"])
def test_noa_nine_days_before_the_action_is_refused_ten_accepted(kind, case_a, manager_a, noa_context):
    # given a NOA announcing a change 9 days from today
    # when it is created
    with pytest.raises(RuleViolation) as refused:
        notice_create(kind=kind, member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                      context=noa_context, action_date=_today() + datetime.timedelta(days=9), created_by=manager_a)
    # then it is refused on the action date and nothing is written
    assert (refused.value.field, refused.value.rule) == ("action_date", "noa.ten_day_advance")
    assert not Notice.objects.exists() and not Deadline.objects.exists()
    # and 10 days ahead is accepted
    notice = notice_create(kind=kind, member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                           context=noa_context, action_date=_today() + datetime.timedelta(days=10), created_by=manager_a)
    assert notice.status == Notice.Status.DRAFT and notice.action_date == _today() + datetime.timedelta(days=10)


def test_plan_choice_noa_needs_an_action_date(case_a, manager_a, noa_context):
    with pytest.raises(RuleViolation) as refused:
        notice_create(kind="noa_plan_choice", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                      context=noa_context, created_by=manager_a)
    assert (refused.value.field, refused.value.rule) == ("action_date", "noa.action_date_required")


def test_ccs_noa_opens_the_seven_day_clock_from_the_decision_and_mailing_meets_it(case_a, manager_a, noa_context):
    # given a CCS decision two days ago
    decided = timezone.now() - datetime.timedelta(days=2)
    notice = notice_create(kind="ccs_noa", member=case_a.member, case=case_a, recipient_kind="family", channel="mail",
                           context=noa_context, action_date=_today() + datetime.timedelta(days=14), created_by=manager_a,
                           decided_at=decided)
    deadline = Deadline.objects.get(rule_code="ccs.noa_after_decision", subject_id=notice.pk)
    assert deadline.status == "open"
    assert timezone.localtime(deadline.due_at).date() == timezone.localtime(decided).date() + datetime.timedelta(days=7)
    # when it is sent (queued for print) and mailed today
    notice_send(notice=notice, by=manager_a)
    notice = _deliver(notice)
    assert notice.status == Notice.Status.QUEUED and notice.events.filter(kind="queued_for_print").exists()
    deadline.refresh_from_db()
    assert deadline.status == "open", "a letter not yet mailed has not met the mailing clock"
    notice = notice_mark_mailed(notice=notice, mailed_on=_today(), by=manager_a)
    # then the clock is met on time and the timeline shows the mailing
    deadline.refresh_from_db()
    assert deadline.status == "met_on_time"
    assert notice.status == Notice.Status.MAILED and notice.mailed_on == _today() and notice.sent_at
    assert case_a.timeline.filter(kind="notice.mailed").exists()


def test_email_send_delivers_once_with_pdf_and_meets_listed_clocks(case_a, manager_a, plan_x, noa_context, django_capture_on_commit_callbacks):
    # given a WCM 90-day family notice clock opened by the transition work on the case
    transition_date = _today() + datetime.timedelta(days=120)
    clock = deadline_start(rule_code="wcm.family_notice_90", subject=case_a, started_at=timezone.now(), case=case_a,
                           target=transition_date)
    case_a.member.email = "family@example.org"
    case_a.member.save()
    received = []
    notice_sent.connect(lambda sender, notice, **kw: received.append(notice.pk), weak=False, dispatch_uid="test-notice-sent")
    try:
        notice = notice_create(kind="wcm_transition_90", member=case_a.member, case=case_a, recipient_kind="family",
                               channel="email", context={"plan_name": plan_x.name}, action_date=transition_date,
                               created_by=manager_a, meets=("wcm.family_notice_90",))
        # when it is sent and the outbox handler runs twice (a retry)
        notice_send(notice=notice, by=manager_a)
        with django_capture_on_commit_callbacks(execute=True):
            _deliver(notice)
        with django_capture_on_commit_callbacks(execute=True):
            _deliver(notice)
    finally:
        notice_sent.disconnect(dispatch_uid="test-notice-sent")
    # then exactly one email went out, with the PDF, and the clock on the case is met
    notice.refresh_from_db()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["family@example.org"] and email.subject == notice.subject and email.body == notice.body
    assert email.attachments[0][0] == f"notice-{notice.pk}.pdf" and email.attachments[0][1][:5] == b"%PDF-"
    assert notice.status == Notice.Status.SENT and notice.sent_at
    assert notice.events.filter(kind=NoticeEvent.Kind.SENT).count() == 1
    assert notice.events.filter(kind=NoticeEvent.Kind.EMAIL_DELIVERED).count() == 1
    clock.refresh_from_db()
    assert clock.status == "met_on_time"
    assert received == [notice.pk]
    # and a second send is refused
    with pytest.raises(RuleViolation) as again:
        notice_send(notice=notice, by=manager_a)
    assert again.value.rule == "notice.already_sent"
    assert OutboxMessage.objects.filter(key=f"notice:{notice.pk}:send").count() == 1


def test_send_to_a_third_party_is_refused_without_consent_and_nothing_queued(case_a, manager_a):
    # given a residential admission notification (SUD, 42 CFR Part 2) to the member's plan, with no Part 2 consent
    plan = case_a.member.coverages.get().plan
    plan.fax = "916-555-0199"
    plan.save()
    notice = notice_create(kind="residential_admission", member=case_a.member, case=case_a, recipient_kind="plan",
                           recipient_org=plan, channel="fax", context={"facility_name": "River House"}, created_by=manager_a)
    # when it is sent
    with pytest.raises(RuleViolation) as refused:
        notice_send(notice=notice, by=manager_a)
    # then the consents check refuses it and nothing is queued
    assert refused.value.field == "consent" and refused.value.rule == "disclosure.part2_consent_required"
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert not OutboxMessage.objects.filter(key=f"notice:{notice.pk}:send").exists()


def test_plan_notification_by_fax_is_logged_and_acknowledged_by_the_plan(case_a, manager_a, liaison_x, plan_x):
    # given an eligibility outcome (general information) to the member's own plan by fax
    plan_x.fax = "916-555-0199"
    plan_x.save()
    notice = notice_create(kind="eligibility_outcome_to_plan", member=case_a.member, case=case_a, recipient_kind="plan",
                           recipient_org=plan_x, channel="fax", context={"outcome": "CCS eligible"}, created_by=manager_a)
    # when it is sent and delivered
    notice_send(notice=notice, by=manager_a)
    notice = _deliver(notice)
    # then the contact is logged, the disclosure accounted for, and the plan's liaison can acknowledge it
    assert notice.status == Notice.Status.SENT and notice.disclosure_id_ref
    assert notice.events.filter(kind="contact_logged", detail__contains="916-555-0199").exists()
    notice = notice_acknowledge(notice=notice, by=liaison_x)
    assert notice.status == Notice.Status.ACKNOWLEDGED and notice.acknowledged_by == liaison_x
    # and a case manager of the county cannot acknowledge for the plan
    with pytest.raises(RuleViolation) as refused:
        notice_acknowledge(notice=notice, by=manager_a)
    assert refused.value.rule == "notice.ack_recipient"


def test_returned_letter_opens_a_follow_up_task_for_the_case_manager(case_a, manager_a, supervisor_a, noa_context):
    # given a mailed NOA
    notice = notice_create(kind="advance_notice", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                           context=noa_context, action_date=_today() + datetime.timedelta(days=20), created_by=manager_a)
    notice_send(notice=notice, by=manager_a)
    _deliver(notice)
    notice = notice_mark_mailed(notice=notice, mailed_on=_today(), by=manager_a)
    # when the post office returns it (recorded by the supervisor)
    with pytest.raises(RuleViolation) as no_reason:
        notice_mark_returned(notice=notice, by=supervisor_a, reason=" ")
    assert no_reason.value.field == "reason"
    notice = notice_mark_returned(notice=notice, by=supervisor_a, reason="Moved, no forwarding address")
    # then the notice shows returned and the case's primary case manager has an open follow-up task
    assert notice.status == Notice.Status.RETURNED and notice.return_reason == "Moved, no forwarding address"
    task = Task.objects.get(case=case_a, source="notice_returned")
    assert task.owner == manager_a and task.status == Task.Status.OPEN and "Moved" in task.title
    assert case_a.timeline.filter(kind="notice.returned").exists()


def test_mailing_date_in_the_future_is_refused(case_a, manager_a, noa_context):
    notice = notice_create(kind="advance_notice", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                           context=noa_context, action_date=_today() + datetime.timedelta(days=20), created_by=manager_a)
    notice_send(notice=notice, by=manager_a)
    _deliver(notice)
    with pytest.raises(RuleViolation) as refused:
        notice_mark_mailed(notice=notice, mailed_on=_today() + datetime.timedelta(days=1), by=manager_a)
    assert (refused.value.field, refused.value.rule) == ("mailed_on", "notice.mailed_on_future")
    assert Notice.objects.get(pk=notice.pk).mailed_on is None
