"""Template helpers of the case manager's app: time left on a clock, in plain words."""
from __future__ import annotations

import datetime

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

register = template.Library()


def _unit(delta: datetime.timedelta) -> tuple[str, int]:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return "minute", max(minutes, 1)
    if minutes < 48 * 60:
        return "hour", minutes // 60
    return "day", minutes // (24 * 60)


def time_left_text(due_at: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """``"2 days left"`` or ``"overdue by 5 hours"``: hours under two days, days beyond.

    Whole phrases are translated (not a number glued to a word) so each language can agree them.
    """
    now = now or timezone.now()
    if due_at >= now:
        unit, n = _unit(due_at - now)
        phrase = {
            "minute": ngettext("%(count)d minute left", "%(count)d minutes left", n),
            "hour": ngettext("%(count)d hour left", "%(count)d hours left", n),
            "day": ngettext("%(count)d day left", "%(count)d days left", n),
        }[unit]
    else:
        unit, n = _unit(now - due_at)
        phrase = {
            "minute": ngettext("overdue by %(count)d minute", "overdue by %(count)d minutes", n),
            "hour": ngettext("overdue by %(count)d hour", "overdue by %(count)d hours", n),
            "day": ngettext("overdue by %(count)d day", "overdue by %(count)d days", n),
        }[unit]
    return phrase % {"count": n}


@register.filter
def time_left(due_at):
    if not due_at:
        return ""
    return time_left_text(due_at)


@register.simple_tag(takes_context=True)
def querystring_with(context, **changes):
    """The current GET parameters with ``changes`` applied (empty values dropped)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def render_section(context, block):
    """Render another app's registered section template with its own context."""
    try:
        return render_to_string(block["template"], block["context"], request=context.get("request"))
    except TemplateDoesNotExist:
        return ""
