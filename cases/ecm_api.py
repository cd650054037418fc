"""API of the ECM pathway, for the managed care plans.

* ``GET /api/ecm/enrollments/`` and ``/<id>/`` — ECM referrals and enrollments of the members the caller
  sees (a plan liaison: members enrolled with the plan), with the presumptive authorization window.
* ``POST /api/ecm/enrollments/<id>/decision/`` — the plan's authorization decision; ends the 30-day
  presumptive authorization window (``ecm.presumptive_authorization``).
* ``POST /api/ecm/continuity-of-care/<id>/decision/`` — the plan's decision on a continuity of care
  request after an out-of-county placement (meets ``mcp.coc_request*``).

ECM enrollment notifications to the SW and PHN are notices: ``/api/notifications/``.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from carecoord.accounts.models import User
from carecoord.api.schema import READ_ERRORS, WRITE_ERRORS
from carecoord.api.serializers import ModelSerializer, Serializer
from carecoord.api.views import ScopedReadOnlyViewSet, model_label, record_access
from carecoord.clocks.models import Deadline

from . import ecm_services
from .ecm_models import ContinuityOfCareRequest, EcmEnrollment
from .selectors import active_coverage, case_list_visible_to, require_case_change


def enrollments_visible_to(*, user):
    return (EcmEnrollment.objects.filter(case__in=case_list_visible_to(user=user))
            .select_related("case", "recipient", "ecm_provider").order_by("-referred_at", "-pk"))


class EnrollmentSerializer(ModelSerializer):
    member = serializers.IntegerField(source="case.member_id")
    recipient = serializers.StringRelatedField(help_text="The MCP CWS liaison's plan or the ECM provider referred to.")
    ecm_provider = serializers.StringRelatedField()
    presumptive_window_ends = serializers.SerializerMethodField(help_text="Due time of the plan's decision, while pending.")

    class Meta:
        model = EcmEnrollment
        fields = ["id", "case", "member", "referrer", "recipient", "ecm_provider", "status", "referred_at", "presumptive",
                  "expedited", "enrolled_at", "mcp_decision", "mcp_decided_at", "assessment_completed_at",
                  "care_plan_shared_at", "presumptive_window_ends"]

    def get_presumptive_window_ends(self, obj) -> str | None:
        if not obj.presumptive or obj.mcp_decision != EcmEnrollment.Decision.PENDING:
            return None
        deadline = Deadline.objects.filter(rule_code="ecm.presumptive_authorization", subject_id=obj.pk,
                                           subject_type=ContentType.objects.get_for_model(EcmEnrollment)).first()
        return deadline.due_at.isoformat() if deadline else None


class DecisionSerializer(Serializer):
    decision = serializers.ChoiceField(choices=["authorized", "denied"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CocDecisionSerializer(Serializer):
    decision = serializers.ChoiceField(choices=["approved", "denied"])


class CocRequestSerializer(ModelSerializer):
    class Meta:
        model = ContinuityOfCareRequest
        fields = ["id", "provider_name", "urgency", "received_at", "decision", "decided_at"]


ENROLLMENT_EXAMPLE = OpenApiExample("Presumptively enrolled", response_only=True, value={
    "id": 12, "case": 40, "member": 31, "referrer": "sw", "recipient": "Bridges ECM Services", "ecm_provider": "Bridges ECM Services",
    "status": "enrolled", "referred_at": "2026-11-20T10:00:00-08:00", "presumptive": True, "expedited": False,
    "enrolled_at": "2026-11-21T09:00:00-08:00", "mcp_decision": "pending", "mcp_decided_at": None,
    "assessment_completed_at": None, "care_plan_shared_at": None, "presumptive_window_ends": "2026-12-21T09:00:00-08:00"})


@extend_schema_view(
    list=extend_schema(summary="ECM referrals and enrollments", tags=["ecm"], examples=[ENROLLMENT_EXAMPLE],
                       description="ECM referrals and enrollments of child-welfare-involved members you may see, newest first. "
                                   "`presumptive_window_ends` is when the plan's authorization decision is due.",
                       responses={200: EnrollmentSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary="One ECM enrollment", tags=["ecm"], examples=[ENROLLMENT_EXAMPLE],
                           responses={200: EnrollmentSerializer, **READ_ERRORS}),
)
class EnrollmentViewSet(ScopedReadOnlyViewSet):
    serializer_class = EnrollmentSerializer

    def get_visible_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return EcmEnrollment.objects.none()
        return enrollments_visible_to(user=user)

    def members_of(self, objects):
        return [e.case.member_id for e in objects]


def _require_plan_or_provider(user, case) -> None:
    """The plan's decision is recorded by the member's plan, through its liaison, or by the ECM provider it
    told; not by someone who may only read the case (another plan's liaison it was shared with included)."""
    if user.role != User.Role.PLAN_LIAISON:
        require_case_change(user=user, case=case)
        return
    coverage = active_coverage(member=case.member)
    if coverage is None or coverage.plan_id != user.organization_id:
        raise PermissionDenied(_("Only the member's health plan records its decision."))


class EnrollmentDecisionViewSet(viewsets.GenericViewSet):
    serializer_class = DecisionSerializer

    @extend_schema(summary="Record the plan's ECM authorization decision", tags=["ecm"], request=DecisionSerializer,
                   description="Ends the 30-day presumptive authorization window. A denial ends ECM and cancels its "
                               "notification and assessment clocks. Refused (400, rule `ecm.mcp_decided`) when already decided.",
                   examples=[OpenApiExample("Authorize", request_only=True, value={"decision": "authorized"})],
                   responses={200: EnrollmentSerializer, **WRITE_ERRORS})
    def create(self, request, pk: int):
        enrollment = get_object_or_404(enrollments_visible_to(user=request.user), pk=pk)
        _require_plan_or_provider(request.user, enrollment.case)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = ecm_services.ecm_mcp_decide(enrollment=enrollment, actor=request.user, **serializer.validated_data)
        record_access(request, members=[enrollment.case.member_id], action="view", records=[(model_label(enrollment), enrollment.pk)])
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_200_OK)


class CocDecisionViewSet(viewsets.GenericViewSet):
    serializer_class = CocDecisionSerializer

    @extend_schema(summary="Record the plan's continuity of care decision", tags=["ecm"], request=CocDecisionSerializer,
                   description="Decides a request to keep an existing provider after an out-of-county placement; meets the "
                               "request's decision clock (30, 15 or 3 days by urgency).",
                   examples=[OpenApiExample("Approve", request_only=True, value={"decision": "approved"})],
                   responses={200: CocRequestSerializer, **WRITE_ERRORS})
    def create(self, request, pk: int):
        coc = get_object_or_404(ContinuityOfCareRequest.objects.filter(move__case__in=case_list_visible_to(user=request.user))
                                .select_related("move__case"), pk=pk)
        _require_plan_or_provider(request.user, coc.move.case)
        serializer = CocDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        coc = ecm_services.coc_request_decide(request=coc, actor=request.user, **serializer.validated_data)
        record_access(request, members=[coc.move.case.member_id], action="view", records=[(model_label(coc), coc.pk)])
        return Response(CocRequestSerializer(coc).data, status=status.HTTP_200_OK)
