"""The closed loop of an outbound referral: each step with who and when, outcomes, manager-only revocation."""
import datetime

import pytest
from django.utils import timezone

from carecoord.errors import RuleViolation
from referrals.models import Referral, ReferralEvent
from referrals.services import (
    referral_check_consent, referral_close, referral_create_outbound, referral_revoke, referral_schedule, referral_send,
    referral_transition,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def palliative():
    return OrganizationFactory(name="Sunrise Pediatric Palliative Care", type="other_provider")


def test_outbound_referral_walks_the_loop_with_who_and_when(case_a, manager_a, palliative):
    # given a nurse's referral of a CCS child to pediatric palliative care with a warm hand-off
    referral = referral_create_outbound(case=case_a, service_type="palliative_care", recipient_organization=palliative,
                                        reason="Complex care needs; family asked for support", actor=manager_a,
                                        warm_handoff=True)
    assert referral.status == Referral.Status.DRAFT and referral.direction == "outbound" and referral.warm_handoff
    # when it goes round the loop
    referral_check_consent(referral=referral, actor=manager_a, consent_reference="consent:12")
    referral_send(referral=referral, actor=manager_a)
    referral_transition(referral=referral, to_status="received", actor=manager_a, note="Intake nurse confirmed")
    appointment = timezone.now() + datetime.timedelta(days=7)
    referral_schedule(referral=referral, appointment_at=appointment, actor=manager_a)
    referral_transition(referral=referral, to_status="attended", actor=manager_a)
    referral_close(referral=referral, outcome="got_help", actor=manager_a, note="Palliative team following")
    # then every step is recorded with who did it, and the outcome is kept
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.outcome == "got_help" and referral.closed_at is not None
    assert referral.appointment_at == appointment
    steps = list(ReferralEvent.objects.filter(referral=referral).values_list("action", "to_status", "by"))
    assert [s[0] for s in steps] == ["created", "consent_checked", "sent", "received", "scheduled", "attended", "closed"]
    assert all(by == manager_a.pk for _, _, by in steps)
    assert case_a.timeline.filter(kind="referral.closed").exists()


def test_a_closed_referral_cannot_move_and_closing_needs_an_outcome(case_a, manager_a, palliative):
    referral = referral_create_outbound(case=case_a, service_type="dental", recipient_organization=palliative,
                                        reason="Dental home", actor=manager_a)
    referral_send(referral=referral, actor=manager_a)
    with pytest.raises(RuleViolation) as exc:
        referral_close(referral=referral, outcome="", actor=manager_a)
    assert exc.value.rule == "referral.outcome_required" and exc.value.field == "outcome"
    referral_transition(referral=referral, to_status="declined", actor=manager_a, note="Family prefers their dentist")
    referral.refresh_from_db()
    assert referral.outcome == "declined"
    with pytest.raises(RuleViolation) as exc:
        referral_send(referral=referral, actor=manager_a)
    assert exc.value.rule == "referral.status_move"
    assert ReferralEvent.objects.filter(referral=referral).count() == 3


def test_only_a_manager_revokes_a_referral_sent_in_error(case_a, manager_a, supervisor_a, palliative):
    referral = referral_create_outbound(case=case_a, service_type="dme", recipient_organization=palliative,
                                        reason="Wheelchair", actor=manager_a)
    referral_send(referral=referral, actor=manager_a)
    with pytest.raises(RuleViolation) as exc:
        referral_revoke(referral=referral, actor=manager_a, reason="Wrong child")
    assert exc.value.rule == "referral.revoke_manager"
    referral_revoke(referral=referral, actor=supervisor_a, reason="Sent for the wrong child")
    referral.refresh_from_db()
    assert referral.status == "revoked" and referral.outcome == "sent_in_error"
    assert referral.events.last().by == supervisor_a


def test_outbound_referral_needs_a_recipient(case_a, manager_a):
    with pytest.raises(RuleViolation) as exc:
        referral_create_outbound(case=case_a, service_type="mental_health", reason="Anxiety", actor=manager_a)
    assert exc.value.field == "recipient_organization"
    assert not Referral.objects.exists()
