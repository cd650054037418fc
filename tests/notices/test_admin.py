"""Administrators edit templates by saving a new version; sent notices keep theirs and are read-only."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notices.models import Notice, NoticeTemplate
from notices.services import notice_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, program_a):
    admin = UserFactory(organization=program_a, role="administrator", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_editing_a_template_saves_a_new_version_and_sent_notices_keep_theirs(admin_client, case_a, manager_a, noa_context):
    # given a notice rendered from version 1
    v1 = NoticeTemplate.objects.get(kind="advance_notice", language="en", is_active=True)
    notice = notice_create(kind="advance_notice", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                           context=noa_context, action_date=timezone.localdate() + datetime.timedelta(days=15),
                           created_by=manager_a, language="en")
    # when an administrator edits the template's wording in the admin
    url = reverse("admin:notices_noticetemplate_change", args=[v1.pk])
    response = admin_client.post(url, {"subject": "Notice of Action: a change to your Medi-Cal services", "body": v1.body,
                                       "required_sections": "[]"})
    assert response.status_code == 302, response.content.decode()[:2000]
    # then a version 2 is active, version 1 is kept unchanged, and the notice still points at version 1 and its text
    v2 = NoticeTemplate.objects.get(kind="advance_notice", language="en", is_active=True)
    v1.refresh_from_db()
    assert v2.version == v1.version + 1 and not v1.is_active and v1.subject == "Notice of Action: a change to your services"
    notice.refresh_from_db()
    assert notice.template == v1 and notice.template_version == v1.version and notice.subject == v1.subject
    # and a new notice uses version 2
    later = notice_create(kind="advance_notice", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                          context=noa_context, action_date=timezone.localdate() + datetime.timedelta(days=15),
                          created_by=manager_a, language="en")
    assert later.template_version == v2.version and later.subject == "Notice of Action: a change to your Medi-Cal services"


def test_an_edit_that_drops_a_required_noa_part_is_refused(admin_client):
    v1 = NoticeTemplate.objects.get(kind="ccs_noa", language="es", is_active=True)
    body = v1.body.replace('{% section "state_hearing" %}', "").replace("SU DERECHO A UNA AUDIENCIA IMPARCIAL ESTATAL", "")
    start = body.index("Si no está de acuerdo con la decisión sobre su apelación")
    end = body.index("{% endsection %}", start) + len("{% endsection %}")
    response = admin_client.post(reverse("admin:notices_noticetemplate_change", args=[v1.pk]),
                                 {"subject": v1.subject, "body": body[:start] + body[end:], "required_sections": "[]"})
    assert response.status_code == 200 and "state hearing" in response.content.decode()
    assert NoticeTemplate.objects.filter(kind="ccs_noa", language="es").count() == 1


def test_sent_notice_is_read_only_in_the_admin(admin_client, case_a, manager_a):
    notice = notice_create(kind="generic", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                           context={"body_text": "Hello"}, created_by=manager_a)
    url = reverse("admin:notices_notice_change", args=[notice.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"subject": "changed"}).status_code == 403
    assert Notice.objects.get(pk=notice.pk).subject == notice.subject
