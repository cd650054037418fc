"""API of Whole Child Model population transitions, for the receiving plans.

* ``GET /api/population-transitions/`` and ``/<id>/`` — the transitions the caller sees (a plan: those
  it receives children in, once confirmed), with the date, the plan's child count and the clocks.
* ``GET /api/transitions/<id>/files/<kind>/`` — the hand-over CSV (``identification`` or ``utilization_sar``)
  of the caller's plan. ``<id>`` is the population transition. The children included are those whose data
  may still go to the plan; each goes to the accounting of disclosures, the delivery is recorded and the
  first download meets the plan's clock (30 days before for identification data, 45 for utilization/SAR).
  County staff who manage the transition may fetch the same file with ``?plan=<id>`` to check it (nothing is
  disclosed or delivered then).
* ``GET /api/population-transitions/<id>/calls/`` — the plan's welcome call list;
  ``POST /api/welcome-calls/<id>/outcome/`` records a call (reached, message left, wrong number,
  questions raised) and its follow-up date.
"""
from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoord.accounts.models import User
from carecoord.api.schema import READ_ERRORS, WRITE_ERRORS, error_response
from carecoord.api.serializers import ModelSerializer, Serializer
from carecoord.api.views import ScopedReadOnlyViewSet, model_label, record_access

from . import population_services as svc
from .population import DataDelivery, PopulationTransition, WelcomeCall
from .population_selectors import (
    may_manage, population_transition_get_for_user, population_transitions_visible_to, require_welcome_call_change, welcome_call_get_for_user,
    welcome_calls_visible_to,
)


class PopulationTransitionSerializer(ModelSerializer):
    county = serializers.StringRelatedField()
    county_program = serializers.StringRelatedField()
    plans = serializers.StringRelatedField(many=True)
    children = serializers.SerializerMethodField(help_text="Children moving: to your plan for a plan caller, else all.")
    clocks = serializers.SerializerMethodField(help_text="The hand-over and notice clocks (for a plan caller: its own files).")

    class Meta:
        model = PopulationTransition
        fields = ["id", "name", "county", "county_program", "plans", "transition_date", "status", "children", "clocks"]

    def _plan_id(self):
        user = self.context["request"].user
        return user.organization_id if user.role == User.Role.PLAN_LIAISON else None

    def get_children(self, obj) -> int:
        plan_id = self._plan_id()
        return obj.members.filter(plan_id=plan_id).count() if plan_id else obj.member_count

    def get_clocks(self, obj) -> list[dict]:
        from django.contrib.contenttypes.models import ContentType

        from carecoord.clocks.models import Deadline

        qs = Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(PopulationTransition), subject_id=obj.pk)\
            .exclude(status=Deadline.Status.CANCELLED).order_by("due_at")
        plan_id = self._plan_id()
        if plan_id:
            qs = qs.filter(occurrence=svc.plan_occurrence(plan_id))
        return [{"rule": d.rule_code, "occurrence": d.occurrence, "due_at": d.due_at, "status": d.status, "met_at": d.met_at}
                for d in qs]


TRANSITION_EXAMPLE = OpenApiExample("A transition the plan receives children in", response_only=True, value={
    "id": 4, "name": "Sacramento County to the Whole Child Model", "county": "Sacramento", "county_program": "Sacramento County CCS",
    "plans": ["Golden State Care", "Valley Health Plan"], "transition_date": "2027-03-01", "status": "confirmed", "children": 412,
    "clocks": [{"rule": "wcm.utilization_sar_data", "occurrence": "plan:12", "due_at": "2027-01-15T23:59:59-08:00",
                "status": "open", "met_at": None},
               {"rule": "wcm.identification_data", "occurrence": "plan:12", "due_at": "2027-01-30T23:59:59-08:00",
                "status": "met_on_time", "met_at": "2027-01-10T09:12:00-08:00"}]})


@extend_schema_view(
    list=extend_schema(summary="Whole Child Model population transitions", tags=["population transitions"],
                       description="The county-to-plan transitions you see: a plan sees those it receives children in, once "
                                   "the children are confirmed. No member data: counts and clocks only.",
                       examples=[TRANSITION_EXAMPLE], responses={200: PopulationTransitionSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary="One population transition", tags=["population transitions"], examples=[TRANSITION_EXAMPLE],
                           responses={200: PopulationTransitionSerializer, **READ_ERRORS}),
)
class PopulationTransitionViewSet(ScopedReadOnlyViewSet):
    serializer_class = PopulationTransitionSerializer

    def get_visible_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return PopulationTransition.objects.none()
        return population_transitions_visible_to(user=user).prefetch_related("plans").order_by("-pk")

    def members_of(self, objects):
        return []


class HandOverFileView(APIView):
    @extend_schema(
        summary="Download a hand-over file", tags=["population transitions"],
        description="The CSV hand-over file of your plan's children in the transition: `identification` (CCS "
                    "identification data, due 30 days before the date) or `utilization_sar` (utilization and service "
                    "authorization data, due 45 days before). Each download is recorded as a delivery and each child "
                    "in it in the accounting of disclosures; the first download meets the clock. Children whose data may "
                    "no longer go to your plan (coverage ended) are withheld and counted. County staff managing the "
                    "transition pass `?plan=<id>` to check the file; nothing is delivered then.",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=DataDelivery.Kind.values),
                    OpenApiParameter("plan", int, description="County staff only: the plan whose file to check.")],
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, examples=[
                       OpenApiExample("identification (first lines)", value=",".join(svc.IDENTIFICATION_HEADER) + "\n"
                                      "91234567A,Reyes,Ana,2014-03-09,F,06067-2026-000017,open,2026-09-10,Q90.9,Sacramento,es,"
                                      "1200 J Street,Sacramento,95814,916-555-0199,True,Oak Park Family Medicine,Nora Nurse\n")]),
                   400: error_response(400, "The file cannot be produced.", "__all__", "wcm.not_confirmed",
                                       "The members of this transition are not confirmed yet."),
                   **READ_ERRORS},
    )
    def get(self, request, pk: int, kind: str):
        user = request.user
        transition = population_transition_get_for_user(user=user, transition_id=pk)
        if kind not in DataDelivery.Kind.values:
            raise exceptions.NotFound()
        if user.role == User.Role.PLAN_LIAISON:
            plan = transition.plans.filter(pk=user.organization_id).first()
            if plan is None:
                raise exceptions.NotFound()
            deliver = True
        else:
            if not may_manage(user=user, county_program=transition.county_program):
                raise exceptions.NotFound()
            plan = transition.plans.filter(pk=request.query_params.get("plan") or 0).first() if \
                str(request.query_params.get("plan", "")).isdigit() else None
            if plan is None:
                raise exceptions.ValidationError({"plan": ["Name the plan whose file to check (?plan=<id>)."]}, code="wcm.plan_required")
            from cases.selectors import case_list_visible_to

            if transition.members.filter(plan=plan).exclude(case__in=case_list_visible_to(user=user)).exists():
                raise exceptions.NotFound()
            deliver = False
        filename, content, delivery = svc.handover_file_produce(transition=transition, kind=kind, plan=plan, user=user, deliver=deliver)
        members = transition.members.filter(plan=plan).values_list("member_id", flat=True)
        record_access(request, members=list(members), action="download",
                      records=[(model_label(delivery), delivery.pk)] if delivery else [(model_label(transition), transition.pk)])
        response = HttpResponse(content, content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class WelcomeCallSerializer(ModelSerializer):
    member = serializers.IntegerField(source="transition_member.member_id")
    member_name = serializers.CharField(source="transition_member.member.full_name")
    cin = serializers.CharField(source="transition_member.member.cin")
    language = serializers.CharField(source="transition_member.language")
    plan = serializers.StringRelatedField()

    class Meta:
        model = WelcomeCall
        fields = ["id", "member", "member_name", "cin", "language", "plan", "phone", "outcome", "attempts", "last_called_at",
                  "questions", "follow_up_on"]


class CallOutcomeSerializer(Serializer):
    outcome = serializers.ChoiceField(choices=[c for c in WelcomeCall.Outcome.choices if c[0] != "pending"])
    questions = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)


CALL_EXAMPLE = OpenApiExample("A family reached with questions", response_only=True, value={
    "id": 88, "member": 31, "member_name": "Sofia Garcia", "cin": "91000000A", "language": "es", "plan": "Valley Health Plan",
    "phone": "916-555-1000", "outcome": "questions_raised", "attempts": 1, "last_called_at": "2027-02-03T10:20:00-08:00",
    "questions": "Will her pulmonologist still see her?", "follow_up_on": "2027-02-10"})


@extend_schema_view(
    list=extend_schema(summary="Welcome call list", tags=["population transitions"],
                       description="The families your plan calls to welcome them (children of the transition enrolled in your "
                                   "plan), with the latest outcome, questions and follow-up date. Filter with `outcome`.",
                       parameters=[OpenApiParameter("outcome", str, enum=WelcomeCall.Outcome.values)],
                       examples=[CALL_EXAMPLE], responses={200: WelcomeCallSerializer(many=True), **READ_ERRORS}),
)
class WelcomeCallViewSet(ScopedReadOnlyViewSet):
    serializer_class = WelcomeCallSerializer

    def get_visible_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return WelcomeCall.objects.none()
        transition = population_transition_get_for_user(user=user, transition_id=self.kwargs["pk"])
        qs = welcome_calls_visible_to(user=user, transition=transition)
        outcome = self.request.query_params.get("outcome")
        if outcome:
            qs = qs.filter(outcome=outcome)
        return qs.order_by("-pk")

    def members_of(self, objects):
        return [c.transition_member.member_id for c in objects]


class WelcomeCallOutcomeView(APIView):
    @extend_schema(summary="Record a welcome call", tags=["population transitions"],
                   description="Record one call: the outcome, the family's questions (required when questions were raised) "
                               "and when to call back.",
                   request=CallOutcomeSerializer, examples=[CALL_EXAMPLE],
                   responses={200: WelcomeCallSerializer, **WRITE_ERRORS,
                              400: OpenApiResponse(description="The input broke a rule (e.g. `wcm.call_questions`).")})
    def post(self, request, call_id: int):
        call = welcome_call_get_for_user(user=request.user, call_id=call_id)
        require_welcome_call_change(user=request.user, call=call)
        serializer = CallOutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call = svc.welcome_call_record(call=call, by=request.user, **serializer.validated_data)
        record_access(request, members=[call.transition_member.member_id], action="update", records=[(model_label(call), call.pk)])
        return Response(WelcomeCallSerializer(call).data, status=status.HTTP_200_OK)
