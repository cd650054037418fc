"""``{% consent_summary member %}``: the member's consents at a glance, for the member and case pages."""
from django import template

from consents.selectors import consent_summary_for

register = template.Library()


@register.inclusion_tag("consents/_summary_body.html", takes_context=True)
def consent_summary(context, member):
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    from cases.selectors import member_records_editable_by

    return {
        "member": member,
        "summary": consent_summary_for(member=member, user=user),
        "may_edit": bool(user) and member_records_editable_by(user=user, member=member),
    }
