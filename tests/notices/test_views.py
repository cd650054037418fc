"""Browser pages: create with errors next to fields, preview (HTML and inline PDF), send, mailed, returned; access."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from carecoord.clocks.models import Deadline, OutboxMessage
from carecoord.clocks.outbox import handler_for
from cases.models import Task
from notices.models import Notice
from tests.factories import UserFactory

from .conftest import NOA_CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(client, manager_a):
    client.force_login(manager_a)
    return client


def _form(**overrides):
    data = {"kind": "noa_plan_choice", "recipient_kind": "family", "channel": "mail", "letter_language": "",
            "action_date": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(), **NOA_CONTEXT}
    data.update(overrides)
    return data


def test_nine_day_action_date_shows_the_error_next_to_the_field(client_a, case_a):
    # given the new-notice form on a case
    url = reverse("notices:new", args=[case_a.pk])
    # when a NOA is submitted 9 days before the action
    response = client_a.post(url, _form(action_date=(timezone.localdate() + datetime.timedelta(days=9)).isoformat()))
    # then the form comes back with the error on the action date field, and nothing is written
    assert response.status_code == 200
    assert "at least 10 days before" in response.context["form"].errors["action_date"][0]
    assert not Notice.objects.exists()


def test_missing_reason_shows_the_error_next_to_the_reason_field(client_a, case_a):
    response = client_a.post(reverse("notices:new", args=[case_a.pk]), _form(reason=""))
    assert response.status_code == 200
    assert "the reason" in response.context["form"].errors["reason"][0]
    assert not Notice.objects.exists()


def test_case_manager_creates_previews_sends_and_marks_a_spanish_noa_mailed(client_a, spanish_case, manager_a):
    # given a Spanish-speaking member's case
    # when the case manager creates a plan-choice NOA
    response = client_a.post(reverse("notices:new", args=[spanish_case.pk]), _form())
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("notices:detail", args=[notice.pk])
    # then the preview shows the Spanish text, the PDF opens inline, and the NOA clock is open
    page = client_a.get(response["Location"])
    assert page.status_code == 200 and "SU DERECHO A APELAR" in page.content.decode()
    pdf = client_a.get(reverse("notices:pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("inline")
    assert pdf.content[:5] == b"%PDF-"
    clock = Deadline.objects.get(rule_code="ecm.noa_plan_choice", subject_id=notice.pk)
    assert clock.status == "open"
    # when it is sent, printed and marked mailed
    assert client_a.post(reverse("notices:send", args=[notice.pk])).status_code == 302
    message = OutboxMessage.objects.get(key=f"notice:{notice.pk}:send")
    handler_for(message.channel)(message)
    client_a.post(reverse("notices:mailed", args=[notice.pk]), {"mailed_on": timezone.localdate().isoformat()})
    # then the notice is mailed and the NOA clock met
    notice.refresh_from_db()
    clock.refresh_from_db()
    assert notice.status == Notice.Status.MAILED and clock.status == "met_on_time"
    # and a returned letter recorded from the page gives the case manager a task
    client_a.post(reverse("notices:returned", args=[notice.pk]), {"reason": "Moved away"})
    assert Task.objects.filter(case=spanish_case, source="notice_returned", owner=manager_a).exists()


def test_case_page_tab_lists_the_notices(client_a, case_a, manager_a):
    from notices.services import notice_create

    notice_create(kind="generic", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                  context={"body_text": "Hello"}, created_by=manager_a)
    from django.template.loader import render_to_string

    html = render_to_string("notices/_case_notices.html", {"case": case_a, "user": manager_a,
                                                             "notices": case_a.notices.all()})
    assert reverse("notices:new", args=[case_a.pk]) in html and "Letter" in html


def test_another_organizations_user_gets_404_on_preview_and_pdf(client, case_a, manager_a, program_b):
    from notices.services import notice_create

    notice = notice_create(kind="generic", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                           context={"body_text": "Hello"}, created_by=manager_a)
    client.force_login(UserFactory(organization=program_b))
    assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    assert client.get(reverse("notices:pdf", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notices:send", args=[notice.pk])).status_code == 404
    assert client.get(reverse("notices:new", args=[case_a.pk])).status_code == 404
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.DRAFT


def test_case_page_shows_the_notices_tab_with_the_new_notice_link(client_a, case_a):
    response = client_a.get(reverse("case_detail", args=[case_a.pk]))
    assert response.status_code == 200
    assert reverse("notices:new", args=[case_a.pk]) in response.content.decode()


def test_member_page_lists_the_members_notices(client_a, case_a, manager_a):
    from notices.services import notice_create

    notice = notice_create(kind="generic", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                           context={"body_text": "Hello"}, created_by=manager_a)
    response = client_a.get(reverse("member_detail", args=[case_a.member.pk]))
    assert response.status_code == 200
    assert reverse("notices:detail", args=[notice.pk]) in response.content.decode()
