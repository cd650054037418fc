"""Template helpers of the case manager's app: time left on a clock, other apps' sections."""
from __future__ import annotations

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

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
