"""Demo clocks for the supervisor dashboards: a month where one nurse's eligibility determinations slip.

Sacramento County CCS: in the previous months both nurses met the CCS medical eligibility clock
on time; this month Tom Becker (nurse2) met two late and missed one, which the sweep marks
missed and escalates to the supervisor. Idempotent: each clock has a stable occurrence key and
is only met while it is still open.
"""
from __future__ import annotations

import datetime

from django.utils import timezone

from carecoord.clocks.models import Deadline
from carecoord.clocks.services import deadline_meet, deadline_start
from carecoord.clocks.sweep import sweep_deadlines

RULE = "ccs.medical_eligibility"
# (occurrence, owner, days ago the clock started, days after the start it was met; None: never met)
CLOCKS = [
    ("demo-dash-1", "nurse", 75, 3), ("demo-dash-2", "nurse2", 70, 4), ("demo-dash-3", "nurse", 45, 2),
    ("demo-dash-4", "nurse2", 40, 5), ("demo-dash-5", "nurse", 20, 3), ("demo-dash-6", "nurse2", 19, 9),
    ("demo-dash-7", "nurse2", 18, 12), ("demo-dash-8", "nurse2", 17, None), ("demo-dash-9", "nurse", 16, 4),
]


def load(ctx) -> None:
    cases = [case for case in ctx.cases.get("ccs", []) if case.organization_id == ctx.orgs["ccs_sac"].pk]
    if not cases or "nurse2" not in ctx.users:
        return
    now = timezone.now()
    for index, (occurrence, username, started_days_ago, met_after_days) in enumerate(CLOCKS):
        case = cases[index % len(cases)]
        started_at = now - datetime.timedelta(days=started_days_ago)
        deadline = deadline_start(rule_code=RULE, subject=case, started_at=started_at, case=case,
                                  owner=ctx.users[username], occurrence=occurrence)
        if met_after_days is not None and deadline.status == Deadline.Status.OPEN:
            deadline_meet(rule_code=RULE, subject=case, occurrence=occurrence, by=ctx.users[username],
                          met_at=started_at + datetime.timedelta(days=met_after_days))
    sweep_deadlines(now=now)
