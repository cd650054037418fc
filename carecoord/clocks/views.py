"""Browser pages of the deadline engine: the rule catalog."""
from django.shortcuts import render

from .catalog import all_rules


def rule_catalog(request):
    return render(request, "clocks/rule_catalog.html", {"rules": all_rules()})
