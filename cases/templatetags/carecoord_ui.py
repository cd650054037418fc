"""Template helpers of the case manager's app: time left on a clock, other apps' sections."""
from __future__ import annotations

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecoord.clocks.selectors import time_left as clock_time_left

register = template.Library()


@register.filter
def time_left(due_at):
    """``"2 days left"`` or ``"overdue by 5 hours"`` (the clocks' own wording, translated)."""
    if not due_at:
        return ""
    return clock_time_left(due_at)


@register.simple_tag(takes_context=True)
def render_section(context, block):
    """Render another app's registered section template with its own context."""
    try:
        return render_to_string(block["template"], block["context"], request=context.get("request"))
    except TemplateDoesNotExist:
        return ""


def _badge(modifier: str, text) -> str:
    return format_html('<span class="badge badge--{}">{}</span>', modifier, text)


@register.simple_tag
def target_badge(below_target: bool, rate):
    """A figure against its on-time target: below it, on it, or nothing due. A tag rather than an
    included template: the dashboard shows it on every row of its tables."""
    if below_target:
        return _badge("overdue", _("Below target"))
    if rate is not None:
        return _badge("met", _("On target"))
    return _badge("neutral", _("Nothing due"))


# status → (the badge's CSS modifier, its text when no label is given); hyphenated forms accepted too.
_STATUS_BADGES = {
    "overdue": ("overdue", gettext_lazy("Overdue")),
    "due_today": ("due-today", gettext_lazy("Due today")),
    "this_week": ("this-week", gettext_lazy("This week")),
    "later": ("later", gettext_lazy("Later")),
    "met": ("met", gettext_lazy("Met")),
    "missed": ("missed", gettext_lazy("Missed")),
}
_STATUS_BADGES["due-today"] = _STATUS_BADGES["due_today"]
_STATUS_BADGES["this-week"] = _STATUS_BADGES["this_week"]


@register.simple_tag
def status_badge(status, label=None):
    """A deadline's or clock's status as a badge: ``{% status_badge "overdue" %}``,
    ``{% status_badge d.badge label=d.time_left %}``. The status is said in words (and a glyph from
    the stylesheet), never by colour alone. A tag rather than an included template: the work queue
    shows one on hundreds of rows."""
    modifier, text = _STATUS_BADGES.get(status, ("neutral", None))
    return _badge(modifier, label or text or status)
