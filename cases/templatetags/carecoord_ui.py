"""Template helpers of the case manager's app: time left on a clock, in plain words."""
from __future__ import annotations

import datetime

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _amount(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        minutes = max(minutes, 1)
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = hours // 24
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def time_left_text(due_at: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """``"2 days left"`` or ``"overdue by 5 hours"``: hours under two days, days beyond."""
    now = now or timezone.now()
    if due_at >= now:
        return _("%(amount)s left") % {"amount": _amount(due_at - now)}
    return _("overdue by %(amount)s") % {"amount": _amount(now - due_at)}


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
