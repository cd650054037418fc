"""Reads for the ECM tab of the case page: the pathway's steps in the guide's order, done or not,
with the clocks that run on them. The case reaching here was loaded through ``case_get_for_user``."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoord.clocks.models import Deadline
from consents.models import Consent, ConsentKind

from .ccs_models import CarePlan
from .ecm import member_populations_of_focus
from .ecm_models import EcmEnrollment
from .selectors import may_write_case_records

CLOCK_PREFIXES = ("ecm.", "mcp.")


@dataclass
class Step:
    label: str
    done_at: object = None  # a datetime, date or True when done
    url: str = ""
    detail: str = ""

    @property
    def done(self) -> bool:
        return bool(self.done_at)


def _url(name: str, case, *args) -> str:
    return reverse(f"ecm:{name}", args=[case.pk, *args])


def _consent_url(case, kind: str) -> str:
    return reverse("consents:consent_create", kwargs={"member_id": case.member_id, "kind": kind})


def ecm_case_section(*, case, user) -> dict:
    if case.program != "ecm":
        return {"not_ecm": True}
    pathway = getattr(case, "ecm_pathway", None) if hasattr(case, "ecm_pathway") else None
    selections = list(case.ecm_plan_selections.select_related("plan", "noa"))
    initial = next((s for s in selections if s.reason == "initial"), None)
    enrollment = case.ecm_enrollments.select_related("ecm_provider", "recipient", "referral").first()
    live = enrollment if enrollment and enrollment.status != EcmEnrollment.Status.ENDED else None
    care_plan = CarePlan.objects.filter(case=case, status=CarePlan.Status.ACTIVE).first()
    meetings = list(case.cft_meetings.select_related("conference"))
    moves = list(case.ecm_placement_moves.select_related("from_county", "to_county", "plan_selection__plan", "new_ecm_provider")
                 .prefetch_related("coc_requests"))
    closure = getattr(case, "ecm_closure", None) if hasattr(case, "ecm_closure") else None
    # The steps are offered while the case is open, to the staff who may change it.
    may_act = case.status != "closed" and may_write_case_records(user=user, case=case)
    consents = Consent.objects.in_force().filter(member=case.member)
    verbal = consents.filter(kind=ConsentKind.ECM_VERBAL).order_by("-obtained_at").first()
    signed = consents.exclude(kind=ConsentKind.ECM_VERBAL).order_by("-recorded_at").first()
    noa_sent = initial and initial.noa and initial.noa.status not in ("draft", "queued", "failed")

    steps = [
        Step(_("Pathway started (removal, Family Maintenance, existing or prevention)"),
             pathway and pathway.started_at, "" if pathway else _url("pathway", case),
             pathway.get_kind_display() if pathway else ""),
        Step(_("Medi-Cal status in MEDS and plan choice, with who took part"), initial and initial.decided_at,
             _url("plan_selection", case) if not initial else "",
             f"{initial.get_choice_display()}{' — ' + str(initial.plan) if initial and initial.plan_id else ''}" if initial else ""),
        Step(_("Notice of Action at least 10 days before activation"),
             noa_sent or (initial is not None and initial.noa_id is None), "",
             (_("activates %(date)s") % {"date": initial.activation_date}) if initial and initial.activation_date else ""),
        Step(_("Verbal consent recorded: the provider and service, what is shared, for how long, the right to withdraw"),
             verbal and verbal.obtained_at, "" if verbal else _consent_url(case, "ecm_verbal"),
             _("not needed when the family refers itself")),
        Step(_("Referral to the MCP CWS liaison or ECM provider"), enrollment and enrollment.referred_at,
             _url("referral", case) if not live else "",
             f"{enrollment.recipient} ({enrollment.get_referrer_display()})" if enrollment else ""),
        Step(_("Outreach by the ECM provider"), live and live.outreach.exists(), _url("outreach", case) if live else ""),
        Step(_("Prior ECM or Community Supports checked"), live and live.prior_checked_at,
             _url("prior_check", case) if live and not live.prior_checked_at else ""),
        Step(_("Signed consents and releases of information"), signed and signed.recorded_at,
             _consent_url(case, "hipaa_authorization") if live and not signed else ""),
        Step(_("ECM starts (presumptive authorization or the plan's authorization)"), live and live.enrolled_at,
             _url("authorization", case) if live and live.status == "referred" else ""),
        Step(_("Plan's authorization decision (ends the 30-day presumptive window)"), live and live.mcp_decided_at,
             _url("mcp_decision", case) if live and live.enrolled_at and live.mcp_decision == "pending" else ""),
        Step(_("SW and PHN told of the enrollment"),
             live and live.enrolled_at and not Deadline.objects.filter(
                 case=case, rule_code__startswith="ecm.enrollment_notification", status__in=Deadline.ACTIVE_STATUSES).exists(),
             _url("notify", case) if live and live.enrolled_at else ""),
        Step(_("ECM assessment within 30 days"), live and live.assessment_completed_at,
             _url("assessment", case) if live and live.enrolled_at and not live.assessment_completed_at else ""),
        Step(_("ECM care plan (reviewed every 6 months)"), care_plan and care_plan.written_at,
             _url("care_plan", case) if live and live.enrolled_at else ""),
        Step(_("Assessment and care plan shared with the SW"), live and live.care_plan_shared_at,
             _url("share", case) if live and care_plan else ""),
        Step(_("Child and Family Team meeting held"), next((m.conference.held_at for m in meetings if m.held), None),
             _url("cft_schedule", case) if may_act else ""),
    ]
    if pathway and pathway.removed_at:
        steps.insert(1, Step(_("Immediate health care needs met (30 days from placement)"), pathway.immediate_needs_met_at,
                             _url("immediate_needs", case) if not pathway.immediate_needs_met_at else ""))
        steps.insert(2, Step(_("Health and education summary to the caregiver (30 days from placement)"),
                             pathway.health_summary_given_at,
                             _url("first_placement_summary", case) if not pathway.health_summary_given_at else ""))
    if not may_act:
        for step in steps:
            step.url = ""
    clocks = (Deadline.objects.filter(case=case).filter(rule_code__regex=r"^(ecm|mcp)\.")
              .order_by("status", "due_at"))
    return {
        "populations": member_populations_of_focus(case.member, timezone.localdate()),
        "pathway": pathway, "selections": selections, "enrollment": enrollment, "care_plan": care_plan,
        "outreach": list(enrollment.outreach.all()[:10]) if enrollment else [], "meetings": meetings, "moves": moves,
        "closure": closure, "steps": steps, "clocks": list(clocks), "may_act": may_act,
    }
