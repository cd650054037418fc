"""Demo access history, so the access report and the verification command have content:
a nurse's reads of her caseload, a DMC-ODS (42 CFR Part 2) case viewed, sign-ins, one failed
sign-in, and an expired break-glass grant reported to the supervisor. Idempotent: nothing is
added once the demo events exist."""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from .access import record_access
from .models import AccessEvent, BreakGlassGrant
from .services import break_glass_grant

DEMO_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0 (demo)"
BREAK_GLASS_REASON = "Member arrived at the ER after hours; the assigned nurse is on leave today."


def _request(user, path, ip="10.20.30.40"):
    request = RequestFactory().get(path, HTTP_USER_AGENT=DEMO_AGENT, REMOTE_ADDR=ip)
    request.user = user
    return request


def load(ctx) -> None:
    from cases.models import Case
    from cases.selectors import case_list_visible_to

    if AccessEvent.objects.filter(detail__demo=True).exists():
        return
    users = ctx.users
    nurse, dmc = users.get("nurse"), users.get("dmc")
    if nurse is None:
        return
    demo = {"demo": True}
    record_access(_request(nurse, "/accounts/login/"), action="login", user=nurse, detail=demo)
    caseload = list(case_list_visible_to(user=nurse).select_related("member").order_by("pk")[:6])
    if caseload:
        record_access(_request(nurse, "/"), members=[c.member for c in caseload], action="list",
                      records=[("cases.case", c.pk) for c in caseload], detail=demo)
        for case in caseload[:3]:
            record_access(_request(nurse, f"/cases/{case.pk}/"), members=[case.member],
                          records=[("cases.case", case.pk)], detail=demo)
    if dmc is not None:
        record_access(_request(dmc, "/accounts/login/", ip="10.20.30.41"), action="login", user=dmc, detail=demo)
        for case in case_list_visible_to(user=dmc).filter(program="dmc_ods").order_by("pk")[:2]:
            record_access(_request(dmc, f"/cases/{case.pk}/", ip="10.20.30.41"), members=[case.member_id],
                          records=[("cases.case", case.pk)], detail=demo)
    record_access(_request(AnonymousUser(), "/accounts/login/", ip="203.0.113.7"), action="login_failed",
                  username="nurse", detail=demo)
    # An emergency access two days ago (expired now), told to the nurse's supervisor.
    outside = (Case.objects.exclude(pk__in=case_list_visible_to(user=nurse).values("pk"))
               .filter(program="ccs").order_by("pk").first())
    if outside is not None and not BreakGlassGrant.objects.filter(user=nurse, reason=BREAK_GLASS_REASON).exists():
        break_glass_grant(user=nurse, case=outside, reason=BREAK_GLASS_REASON,
                          now=timezone.now() - timedelta(days=2))
