"""ECM pathway pages: one short form per step of the guide, errors next to the field. Thin: the case
through its selector, one service call, back to the ECM tab."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from . import ecm_forms as f
from . import ecm_services as ecm
from .ccs_views import _case_form
from .ecm_models import ContinuityOfCareRequest, EcmEnrollment, PlacementMove

SECTION = "ecm"


def _enrollment(case) -> EcmEnrollment:
    enrollment = case.ecm_enrollments.exclude(status=EcmEnrollment.Status.ENDED).first()
    if enrollment is None:
        raise Http404(_("No ECM referral on this case."))
    return enrollment


def _form(request, case_id, name, *, form_class, title, submit, perform, form_kwargs=None, lookup=None, extra_args=()):
    """``lookup(case)`` loads the step's own record (a meeting, a move) so that one not on this case is a 404
    before any form is shown."""
    def kwargs(case):
        if lookup is not None:
            lookup(case)
        return form_kwargs(case) if form_kwargs else {}
    return _case_form(request, case_id, form_class=form_class, title=title, submit=submit, section=SECTION,
                      url_name=f"ecm:{name}", perform=perform, form_kwargs=kwargs, extra_args=extra_args)


def _provider_initial(case) -> dict:
    enrollment = case.ecm_enrollments.exclude(status=EcmEnrollment.Status.ENDED).first()
    return {"initial": {"ecm_provider": enrollment.ecm_provider_id if enrollment else None}}


def pathway(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.ecm_pathway_start(case=case, kind=d["kind"], removed_at=d["removed_at"], actor=request.user)
        return _("ECM pathway started.")
    return _form(request, case_id, "pathway", form_class=f.PathwayForm, title=_("Start the ECM pathway"), submit=_("Start"),
                 perform=perform)


def immediate_needs(request, case_id: int):
    def perform(case, form):
        ecm.ecm_immediate_needs_met(pathway=get_object_or_404(type(case.ecm_pathway), case=case), actor=request.user)
        return _("Immediate health care needs recorded as met.")
    return _form(request, case_id, "immediate_needs", form_class=f.ConfirmForm, title=_("Immediate health care needs met"),
                 submit=_("Record"), perform=perform)


def first_placement_summary(request, case_id: int):
    def perform(case, form):
        ecm.ecm_first_placement_summary_given(pathway=get_object_or_404(type(case.ecm_pathway), case=case),
                                              at=form.cleaned_data["done_at"], actor=request.user)
        return _("Health and education summary recorded as given.")
    return _form(request, case_id, "first_placement_summary", form_class=f.DoneAtForm,
                 title=_("Health and education summary given to the caregiver"), submit=_("Record"), perform=perform)


def plan_selection(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.plan_selection_record(case=case, meds_status=d["meds_status"], choice=d["choice"], plan=d["plan"],
                                  activation_date=d["activation_date"], participants=d["participants"], notes=d["notes"],
                                  actor=request.user)
        return _("Plan choice recorded. Send the Notice of Action from the Notices tab.")
    return _form(request, case_id, "plan_selection", form_class=f.PlanSelectionForm, title=_("Medi-Cal and plan selection"),
                 submit=_("Record the choice"), perform=perform, form_kwargs=lambda case: {"county": case.member.county})


def referral(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.ecm_referral_make(case=case, referrer=d["referrer"], recipient=d["recipient"], reason=d["reason"], actor=request.user)
        return _("Referral to ECM sent.")
    return _form(request, case_id, "referral", form_class=f.ReferralForm, title=_("Refer to ECM"), submit=_("Send the referral"),
                 perform=perform)


def outreach(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.ecm_outreach_record(enrollment=_enrollment(case), at=d["at"], method=d["method"], outcome=d["outcome"],
                                note=d["note"], actor=request.user)
        return _("Outreach attempt recorded.")
    return _form(request, case_id, "outreach", form_class=f.OutreachForm, title=_("Outreach attempt"), submit=_("Record"),
                 perform=perform)


def prior_check(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.ecm_prior_services_check(enrollment=_enrollment(case), prior_ecm=d["prior_ecm"],
                                     prior_community_supports=d["prior_community_supports"], note=d["prior_note"], actor=request.user)
        return _("Prior services check recorded.")
    return _form(request, case_id, "prior_check", form_class=f.PriorCheckForm, title=_("Prior ECM or Community Supports"),
                 submit=_("Record"), perform=perform)


def authorization(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.ecm_authorization_start(enrollment=_enrollment(case), presumptive=d["presumptive"], expedited=d["expedited"],
                                    ecm_provider=d["ecm_provider"], actor=request.user)
        return _("ECM enrollment recorded; the notification and assessment clocks are running.")
    return _form(request, case_id, "authorization", form_class=f.AuthorizationForm, title=_("Start ECM (authorization)"),
                 submit=_("Enroll"), perform=perform, form_kwargs=_provider_initial)


def mcp_decision(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.ecm_mcp_decide(enrollment=_enrollment(case), decision=d["decision"], note=d["note"], actor=request.user)
        return _("Plan's decision recorded.")
    return _form(request, case_id, "mcp_decision", form_class=f.McpDecisionForm, title=_("Plan's ECM authorization decision"),
                 submit=_("Record"), perform=perform)


def notify(request, case_id: int):
    def perform(case, form):
        notices = ecm.ecm_enrollment_notify(enrollment=_enrollment(case), channel=form.cleaned_data["channel"], actor=request.user)
        return _("%(count)s enrollment notifications queued.") % {"count": len(notices)}
    return _form(request, case_id, "notify", form_class=f.NotifyForm, title=_("Tell the SW and PHN of the enrollment"),
                 submit=_("Send"), perform=perform)


def assessment(request, case_id: int):
    def perform(case, form):
        ecm.ecm_assessment_complete(enrollment=_enrollment(case), summary=form.cleaned_data["summary"], actor=request.user)
        return _("ECM assessment recorded.")
    return _form(request, case_id, "assessment", form_class=f.AssessmentForm, title=_("ECM assessment"), submit=_("Record"),
                 perform=perform)


def care_plan(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.ecm_care_plan_write(case=case, title=d["title"], summary=d["summary"], actor=request.user)
        return _("ECM care plan written; review due in 6 months.")
    return _form(request, case_id, "care_plan", form_class=f.CarePlanForm, title=_("ECM care plan"), submit=_("Save"),
                 perform=perform)


def share(request, case_id: int):
    def perform(case, form):
        ecm.ecm_care_plan_share(enrollment=_enrollment(case), actor=request.user)
        return _("Assessment and care plan shared with the SW.")
    return _form(request, case_id, "share", form_class=f.ConfirmForm, title=_("Share the assessment and care plan with the SW"),
                 submit=_("Share"), perform=perform)


def cft_schedule(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.cft_meeting_schedule(case=case, scheduled_for=d["scheduled_for"], participants=d["participants"],
                                 tribal_representative_chosen=d["tribal_representative_chosen"], cans_status=d["cans_status"],
                                 actor=request.user)
        return _("CFT meeting scheduled.")
    return _form(request, case_id, "cft_schedule", form_class=f.CftScheduleForm, title=_("Schedule a CFT meeting"),
                 submit=_("Schedule"), perform=perform)


def cft_hold(request, case_id: int, meeting_id: int):
    def perform(case, form):
        d = form.cleaned_data
        meeting = get_object_or_404(case.cft_meetings, pk=meeting_id)
        ecm.cft_meeting_hold(meeting=meeting, held_at=d["held_at"], notes=d["notes"], cans_status=d["cans_status"],
                             action_items=form.items(request.user), actor=request.user)
        return _("CFT meeting recorded; action items added as tasks.")
    return _form(request, case_id, "cft_hold", form_class=f.CftHoldForm, title=_("Record the CFT meeting"), submit=_("Record"),
                 perform=perform, lookup=lambda case: get_object_or_404(case.cft_meetings, pk=meeting_id),
                 extra_args=(meeting_id,))


def cft_care_plan(request, case_id: int, meeting_id: int):
    def perform(case, form):
        meeting = get_object_or_404(case.cft_meetings, pk=meeting_id)
        ecm.cft_care_plan_update(meeting=meeting, summary=form.cleaned_data["summary"], actor=request.user)
        return _("ECM care plan update recorded.")
    return _form(request, case_id, "cft_care_plan", form_class=f.CftCarePlanForm, title=_("ECM care plan after the CFT meeting"),
                 submit=_("Record"), perform=perform, lookup=lambda case: get_object_or_404(case.cft_meetings, pk=meeting_id),
                 extra_args=(meeting_id,))


def move(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.placement_move_record(case=case, to_county=d["to_county"], moved_at=d["moved_at"], notes=d["notes"], actor=request.user)
        return _("Placement move recorded.")
    return _form(request, case_id, "move", form_class=f.MoveForm, title=_("Out-of-county placement"), submit=_("Record"),
                 perform=perform)


def _move(case, move_id) -> PlacementMove:
    return get_object_or_404(PlacementMove, case=case, pk=move_id)


def move_meds(request, case_id: int, move_id: int):
    def perform(case, form):
        ecm.placement_meds_address_update(move=_move(case, move_id), actor=request.user)
        return _("MEDS address update recorded.")
    return _form(request, case_id, "move_meds", form_class=f.ConfirmForm, title=_("MEDS address updated"), submit=_("Record"),
                 perform=perform, lookup=lambda case: _move(case, move_id), extra_args=(move_id,))


def move_plan(request, case_id: int, move_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.placement_plan_decide(move=_move(case, move_id), meds_status=d["meds_status"], choice=d["choice"], plan=d["plan"],
                                  activation_date=d["activation_date"], participants=d["participants"], notes=d["notes"],
                                  actor=request.user)
        return _("Plan of enrollment decided.")
    return _form(request, case_id, "move_plan", form_class=f.PlanSelectionForm, title=_("Plan of enrollment after the move"),
                 submit=_("Decide"), perform=perform, form_kwargs=lambda case: {"county": case.member.county},
                 lookup=lambda case: _move(case, move_id), extra_args=(move_id,))


def move_coc(request, case_id: int, move_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.coc_request_record(move=_move(case, move_id), provider_name=d["provider_name"], urgency=d["urgency"], actor=request.user)
        return _("Continuity of care request recorded.")
    return _form(request, case_id, "move_coc", form_class=f.CocRequestForm, title=_("Continuity of care request"),
                 submit=_("Record"), perform=perform, lookup=lambda case: _move(case, move_id), extra_args=(move_id,))


def coc_decide(request, case_id: int, request_id: int):
    def perform(case, form):
        coc = get_object_or_404(ContinuityOfCareRequest, move__case=case, pk=request_id)
        ecm.coc_request_decide(request=coc, decision=form.cleaned_data["decision"], actor=request.user)
        return _("Continuity of care decision recorded.")
    return _form(request, case_id, "coc_decide", form_class=f.CocDecisionForm, title=_("Continuity of care decision"),
                 submit=_("Record"), perform=perform,
                 lookup=lambda case: get_object_or_404(ContinuityOfCareRequest, move__case=case, pk=request_id),
                 extra_args=(request_id,))


def move_provider(request, case_id: int, move_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.placement_ecm_provider_decide(move=_move(case, move_id), action=d["provider_action"], new_provider=d["new_ecm_provider"],
                                          notes=d["notes"], actor=request.user)
        return _("ECM provider decision recorded.")
    return _form(request, case_id, "move_provider", form_class=f.ProviderDecisionForm, title=_("Keep or change the ECM provider"),
                 submit=_("Record"), perform=perform, lookup=lambda case: _move(case, move_id), extra_args=(move_id,))


def move_cws_step(request, case_id: int, move_id: int, step: str):
    if step not in ecm.CWS_PLACEMENT_STEPS:
        raise Http404("No such step")

    def perform(case, form):
        ecm.placement_cws_step_record(move=_move(case, move_id), step=step, at=form.cleaned_data["done_at"], actor=request.user)
        return _("%(step)s: recorded.") % {"step": ecm.CWS_PLACEMENT_STEPS[step].done}
    return _form(request, case_id, "move_cws_step", form_class=f.DoneAtForm, title=ecm.CWS_PLACEMENT_STEPS[step].done,
                 submit=_("Record"), perform=perform, lookup=lambda case: _move(case, move_id), extra_args=(move_id, step))


def move_handoff(request, case_id: int, move_id: int):
    def perform(case, form):
        ecm.placement_ecm_handoff(move=_move(case, move_id), actor=request.user)
        return _("Warm hand-off recorded; assessment and care plan sent.")
    return _form(request, case_id, "move_handoff", form_class=f.ConfirmForm,
                 title=_("Warm hand-off and transfer of the assessment and care plan"), submit=_("Send and record"),
                 perform=perform, lookup=lambda case: _move(case, move_id), extra_args=(move_id,))


def closure(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        ecm.ecm_closure_record(case=case, reason=d["reason"], cws_closed_on=d["cws_closed_on"], ecm_continues=d["ecm_continues"],
                               after_care_plan=d["after_care_plan"], actor=request.user)
        return _("CWS case closure recorded.")
    return _form(request, case_id, "closure", form_class=f.ClosureForm, title=_("CWS case closure"), submit=_("Record"),
                 perform=perform)
