"""Choose the template for a notice and render it, refusing a Notice of Action that lacks a required part.

Templates render as plain text (no HTML escaping): the same text goes into the
PDF, the email and the preview page, where Django's own escaping applies.
Dates format in the notice's language (``translation.override``).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation
from django.utils.translation import gettext as _

from carecoord.errors import RuleViolation

from .models import NOA_KINDS, NoaSection, NoticeTemplate
from .templatetags.notice_sections import RENDERED_KEY

FALLBACK_LANGUAGE = "en"

_ENGINE = Engine(
    autoescape=False,
    libraries={"notice_sections": "notices.templatetags.notice_sections"},
    builtins=["notices.templatetags.notice_sections"],
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    template: NoticeTemplate
    language: str
    fallback: bool


def template_for(*, kind: str, language: str) -> tuple[NoticeTemplate, bool]:
    """The active template of ``kind`` in ``language``; English (flagged as a fallback) when there is none."""
    active = {t.language: t for t in NoticeTemplate.objects.filter(kind=kind, is_active=True, language__in={language, FALLBACK_LANGUAGE})}
    if not active and not NoticeTemplate.objects.filter(kind=kind).exists():
        # No wording of this kind at all (a database emptied and rebuilt without its data migration):
        # put back the shipped version 1 rather than refuse every notice.
        from .seed_texts import seed

        seed(NoticeTemplate)
        active = {t.language: t for t in NoticeTemplate.objects.filter(kind=kind, is_active=True, language__in={language, FALLBACK_LANGUAGE})}
    if language in active:
        return active[language], False
    if FALLBACK_LANGUAGE in active:
        return active[FALLBACK_LANGUAGE], True
    raise RuleViolation(_("There is no active template for this kind of notice."), field="kind", rule="notice.no_template")


def required_sections(template: NoticeTemplate) -> list[str]:
    """What the rendered text must contain: the template's own list plus, for a NOA, every NOA part."""
    required = list(template.required_sections or [])
    if template.kind in NOA_KINDS:
        required += [code for code in NoaSection.values if code not in required]
    return required


def render_text(*, template: NoticeTemplate, context: dict) -> tuple[str, str]:
    """Render subject and body; raise RuleViolation naming the first required part that came out empty."""
    rendered_sections: set[str] = set()
    try:
        with translation.override(template.language):
            subject = _ENGINE.from_string(template.subject).render(Context(dict(context))).strip()
            body = _ENGINE.from_string(template.body).render(Context({**context, RENDERED_KEY: rendered_sections})).strip()
    except TemplateSyntaxError as exc:
        raise RuleViolation(_("The notice template has an error: %(error)s") % {"error": exc}, field="body",
                            rule="notice.template_syntax") from None
    for code in required_sections(template):
        if code not in rendered_sections:
            label = NoaSection(code).label if code in NoaSection.values else code
            raise RuleViolation(
                _("The notice cannot be produced without %(part)s.") % {"part": label}, field=code, rule="noa.required_content",
            )
    return subject, _tidy(body)


def render_notice(*, kind: str, language: str, context: dict) -> Rendered:
    template, fallback = template_for(kind=kind, language=language)
    subject, body = render_text(template=template, context=context)
    return Rendered(subject=subject, body=body, template=template, language=template.language, fallback=fallback)


def validate_template(*, template: NoticeTemplate, sample_context: dict) -> None:
    """Used by the admin before saving a new version: it must parse and, for a NOA, keep every required part."""
    render_text(template=template, context=sample_context)


def _tidy(text: str) -> str:
    """Collapse the blank lines left by empty optional blocks to one."""
    lines, blank = [], 0
    for line in text.split("\n"):  # not splitlines(): a form feed (page break) is kept, not a line end
        line = line.rstrip(" \t\r")
        blank = blank + 1 if not line else 0
        if blank <= 1:
            lines.append(line)
    return "\n".join(lines)
