"""Rendering every kind of notice in English and Spanish; the NOA required parts; the language fallback."""
import datetime

import pytest
from django.utils import timezone

from carecoord.errors import RuleViolation
from notices.models import NOA_KINDS, NoaSection, Notice, NoticeKind, NoticeTemplate
from notices.rendering import render_text
from notices.services import notice_create, notice_context

from .conftest import NOA_CONTEXT

pytestmark = pytest.mark.django_db

# A phrase each language's text must contain, proving the right wording was used.
GREETING = {"en": "Dear", "es": "Estimado/a"}
SIGN_OFF = {"en": "Sincerely,", "es": "Atentamente,"}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", NoticeKind.values)
def test_every_kind_renders_in_english_and_spanish(kind, language, case_a):
    # given the seeded active template of this kind and language
    template = NoticeTemplate.objects.get(kind=kind, language=language, is_active=True)
    action_date = timezone.localdate() + datetime.timedelta(days=30)
    context = notice_context(member=case_a.member, case=case_a, sender=case_a.organization, recipient_name="Ana Ruiz",
                             action_date=action_date, notice_date=timezone.localdate(),
                             extra={**NOA_CONTEXT, "decision": "approved", "outcome": "eligible", "body_text": "Hola."})
    # when it is rendered
    subject, body = render_text(template=template, context=context)
    # then subject and body are filled in the language asked for, with the member's name and no template syntax left
    assert subject and "{{" not in subject and "{%" not in body
    assert body.startswith(f"{GREETING[language]} Ana Ruiz:")
    assert SIGN_OFF[language] in body
    assert case_a.member.last_name in body or case_a.member.last_name in subject or kind in {"generic", "continuity_of_care_decision"}
    if kind in NOA_KINDS:
        assert NOA_CONTEXT["action"] in body and NOA_CONTEXT["rule"] in body


def test_spanish_noa_dates_and_headings_are_spanish(spanish_case, manager_a, noa_context):
    # given a Spanish-speaking member
    action_date = datetime.date.today() + datetime.timedelta(days=20)
    # when a plan-choice NOA is created without naming a language
    notice = notice_create(kind="noa_plan_choice", member=spanish_case.member, case=spanish_case, recipient_kind="member",
                           channel="mail", context=noa_context, action_date=action_date, created_by=manager_a)
    # then it is written in Spanish from the Spanish template, with the date in Spanish words
    assert notice.language == "es" and not notice.language_fallback
    assert notice.template.language == "es" and notice.template_version == notice.template.version
    assert "SU DERECHO A APELAR" in notice.body and "AVISO DE NO DISCRIMINACIÓN" in notice.body
    spanish_months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                      "noviembre", "diciembre"]
    assert f"{action_date.day} de {spanish_months[action_date.month - 1]} de {action_date.year}" in notice.body


def test_missing_translation_falls_back_to_english_with_a_flag(case_a, manager_a, noa_context):
    # given a member who reads Vietnamese, for which no template exists
    case_a.member.preferred_language = "vi"
    case_a.member.save()
    # when a notice is created
    notice = notice_create(kind="noa_plan_choice", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                           context=noa_context, action_date=timezone.localdate() + datetime.timedelta(days=15), created_by=manager_a)
    # then it is in English and flagged, and the case timeline says so
    assert notice.language == "en" and notice.requested_language == "vi" and notice.language_fallback
    assert case_a.timeline.filter(kind="notice.created", summary__contains="vi").exists()


@pytest.mark.parametrize("missing", ["action", "reason", "rule"])
def test_noa_missing_a_caller_part_is_refused_and_nothing_written(missing, case_a, manager_a, noa_context):
    # given a NOA context without one of the parts the caller supplies
    del noa_context[missing]
    # when the NOA is created
    with pytest.raises(RuleViolation) as refused:
        notice_create(kind="ccs_noa", member=case_a.member, case=case_a, recipient_kind="family", channel="mail",
                      context=noa_context, action_date=timezone.localdate() + datetime.timedelta(days=12), created_by=manager_a)
    # then it is refused naming the missing part, and nothing was written
    assert refused.value.field == missing and refused.value.rule == "noa.required_content"
    assert str(NoaSection(missing).label) in refused.value.message
    assert not Notice.objects.exists()


@pytest.mark.parametrize("section", ["appeal_rights", "state_hearing", "expedited_review", "continuation_of_benefits",
                                     "representative", "nondiscrimination", "taglines"])
def test_noa_template_that_lost_a_required_section_is_refused(section, case_a, manager_a, noa_context):
    # given an administrator's new version of the NOA template that dropped one required section
    current = NoticeTemplate.objects.get(kind="advance_notice", language="en", is_active=True)
    start = current.body.index(f'{{% section "{section}" %}}')
    end = current.body.index("{% endsection %}", start) + len("{% endsection %}")
    current.is_active = False
    current.save()
    NoticeTemplate.objects.create(kind="advance_notice", language="en", version=current.version + 1, subject=current.subject,
                                  body=current.body[:start] + current.body[end:])
    # when a notice is rendered from it
    with pytest.raises(RuleViolation) as refused:
        notice_create(kind="advance_notice", member=case_a.member, case=case_a, recipient_kind="member", channel="mail",
                      context=noa_context, action_date=timezone.localdate() + datetime.timedelta(days=11), created_by=manager_a,
                      language="en")
    # then the NOA is refused naming that part
    assert (refused.value.field, refused.value.rule) == (section, "noa.required_content")
    assert not Notice.objects.exists()
