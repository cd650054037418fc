"""Demo: Sacramento County's CCS children moving into the Whole Child Model with Valley Health Plan and Golden
State Care, 100 days from the day the demo is loaded. The children are confirmed, the 90-day family notices
sent (families without an address listed for follow-up), continuity-of-care agreements written, the welcome
call list built with a few calls logged, and two readiness items done. Idempotent: found by its name."""
from __future__ import annotations

import datetime

from django.utils import timezone

NAME = "Sacramento County CCS to the Whole Child Model"


def load(ctx) -> None:
    from . import population_services as svc
    from .population import PopulationTransition, WelcomeCall

    if PopulationTransition.objects.filter(name=NAME).exists():
        return
    supervisor = ctx.users["supervisor"]
    transition = svc.population_transition_create(
        name=NAME, county=ctx.counties["Sacramento"], county_program=ctx.orgs["ccs_sac"],
        plans=[ctx.orgs["plan_valley"], ctx.orgs["plan_golden"]],
        transition_date=timezone.localdate() + datetime.timedelta(days=100), created_by=supervisor)
    transition = svc.population_transition_confirm(transition=transition, by=supervisor)
    for item in transition.readiness_items.order_by("due_date")[:2]:
        svc.readiness_item_complete(item=item, by=supervisor, note="Signed copy on file." if item.kind == "mou_signed" else "")
    for kind, wave in (("notices", "90"), ("continuity", ""), ("call_list", "")):
        svc.bulk_job_run(svc.bulk_job_start(transition=transition, kind=kind, wave=wave, by=supervisor).pk)
    liaison = ctx.users["liaison"]
    calls = list(WelcomeCall.objects.filter(transition_member__transition=transition, plan=liaison.organization).order_by("pk")[:3])
    outcomes = [("reached", ""), ("questions_raised", "Will our pulmonologist still see her after the move?"), ("message_left", "")]
    for call, (outcome, questions) in zip(calls, outcomes):
        svc.welcome_call_record(call=call, outcome=outcome, by=liaison, questions=questions,
                                follow_up_on=timezone.localdate() + datetime.timedelta(days=3) if outcome != "reached" else None)
