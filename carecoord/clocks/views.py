"""Browser pages of the deadline engine: the rule catalog, grouped by program."""
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .catalog import Direction, Kind, Owner, Unit, all_rules

PROGRAMS = {
    "ccs": _("California Children's Services (CCS) and the Whole Child Model"),
    "ecm": _("Enhanced Care Management (ECM)"),
    "dmc_ods": _("Drug Medi-Cal Organized Delivery System (DMC-ODS)"),
    "mcp": _("Managed care plans: authorizations, notices, grievances and appeals"),
    "cws": _("Child welfare health rules"),
    "all": _("Every program"),
}
UNITS = {Unit.HOURS: _("hours"), Unit.CALENDAR_DAYS: _("calendar days"), Unit.WORKING_DAYS: _("working days"),
         Unit.MONTHS: _("months")}
OWNERS = {
    Owner.CASE_MANAGER: _("Case manager"), Owner.MEDICAL_CONSULTANT: _("Medical consultant"),
    Owner.PLAN: _("Managed care plan"), Owner.PROGRAM: _("Program supervisor"), Owner.MEMBER: _("Member (a right)"),
}


def _warning(hours: int) -> str:
    if not hours:
        return ""
    if hours % 24 == 0:
        return _("%(n)d days before") % {"n": hours // 24}
    return _("%(n)d hours before") % {"n": hours}


def rule_catalog(request):
    """Every clock with its timing, owner, warning and source; linked from the main navigation."""
    groups = []
    rules = all_rules()
    for program, title in PROGRAMS.items():
        rows = [{
            "rule": rule,
            "timing": f"{rule.duration} {UNITS[rule.unit]}" + (f" {_('before')}" if rule.direction == Direction.BEFORE else ""),
            "unit": UNITS[rule.unit],
            "owner": OWNERS.get(rule.owner, rule.owner),
            "warning": _warning(rule.warn_before_hours) if rule.kind == Kind.TASK else "",
            "is_window": rule.kind == Kind.WINDOW,
        } for rule in rules if rule.program == program]
        if rows:
            groups.append({"key": program, "title": title, "rows": rows})
    return render(request, "clocks/rule_catalog.html", {"groups": groups, "count": len(rules)})
