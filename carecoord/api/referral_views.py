"""Referrals a plan submits through the API, and their status as the county works them.

A plan refers one of its members to CCS; the referral lands in the county CCS
program's intake queue (``cases.ccs.ccs_referral_intake``: the member's active
case, or a new *referred* case), flagged when it may duplicate another.
"""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from carecoord.accounts.models import Organization
from carecoord.errors import RuleViolation
from cases.ccs import ccs_referral_intake
from cases.models import Program
from cases.selectors import member_list_visible_to
from referrals.models import Referral

from .disclosure import is_plan_caller
from .schema import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from .serializers import ModelSerializer, Serializer
from .views import ScopedViewSetMixin


class ReferralSerializer(ModelSerializer):
    member = serializers.SerializerMethodField()
    receiving_program = serializers.SerializerMethodField(help_text="The county program whose intake queue holds it.")

    class Meta:
        model = Referral
        fields = ["id", "member", "program", "status", "status_changed_at", "outcome", "referred_at", "urgency",
                  "suspected_condition", "reason", "reporter_name", "reporter_phone", "reporter_email",
                  "external_reference", "receiving_program", "case", "possible_duplicate", "duplicate_note",
                  "appointment_at", "closed_at"]

    def get_member(self, referral) -> dict:
        return {"id": referral.member_id, "cin": referral.member.cin}

    def get_receiving_program(self, referral) -> dict:
        return {"id": referral.organization_id, "name": referral.organization.name}


class ReferralCreateSerializer(Serializer):
    member_cin = serializers.CharField(max_length=9, help_text="Medi-Cal CIN of a member enrolled in your plan.")
    program = serializers.ChoiceField(choices=Program.choices, default=Program.CCS,
                                      help_text="The program referred to. Plans refer to CCS through the API.")
    suspected_condition = serializers.CharField(max_length=300, help_text="The suspected CCS-eligible condition.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices, default=Referral.Urgency.ROUTINE)
    referred_at = serializers.DateTimeField(required=False, help_text="When the plan made the referral (default: now).")
    reporter_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    reporter_email = serializers.EmailField(required=False, allow_blank=True, default="")
    external_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                               help_text="Your own id for this referral, returned as is.")


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices)
    external_reference = django_filters.CharFilter()
    member = django_filters.NumberFilter(field_name="member_id")

    class Meta:
        model = Referral
        fields = ["status", "external_reference", "member"]


REFERRAL_EXAMPLE = {
    "id": 120, "member": {"id": 42, "cin": "91234567A"}, "program": "ccs", "status": "received",
    "status_changed_at": "2026-11-23T09:15:00-08:00", "outcome": "", "referred_at": "2026-11-23T09:15:00-08:00",
    "urgency": "routine", "suspected_condition": "Congenital heart disease (Q21.0)", "reason": "Cardiology follow-up",
    "reporter_name": "Pat Liaison", "reporter_phone": "916-555-0100", "reporter_email": "liaison@plan.example",
    "external_reference": "VHP-REF-5531", "receiving_program": {"id": 2, "name": "Sacramento County CCS"}, "case": 17,
    "possible_duplicate": False, "duplicate_note": "", "appointment_at": None, "closed_at": None,
}


def ccs_program_for(county) -> Organization:
    program = Organization.objects.filter(type=Organization.Type.CCS_COUNTY, county=county, is_active=True).order_by("pk").first()
    if program is None:
        raise RuleViolation(f"No CCS program takes referrals for {county} yet.", field="member_cin",
                            rule="referral.no_county_program")
    return program


@extend_schema_view(
    list=extend_schema(summary="Referrals your plan submitted",
                       description="Your plan's referrals and where each stands in the county's closed loop "
                                   "(received, scheduled, closed with an outcome, declined...).",
                       responses={200: ReferralSerializer(many=True), **LIST_ERRORS},
                       examples=[OpenApiExample("A referral", value=REFERRAL_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One referral and its status", description="A referral your plan submitted.",
                           responses={200: ReferralSerializer, **READ_ERRORS},
                           examples=[OpenApiExample("A referral", value=REFERRAL_EXAMPLE, response_only=True)]),
    create=extend_schema(
        summary="Refer a member to CCS",
        description="Refer a member enrolled in your plan to the CCS program of the member's county. The referral "
                    "arrives in that program's intake queue with status `received`; it joins the member's active CCS "
                    "case or opens a new `referred` one. A member with an active case or a pending referral is "
                    "accepted but flagged `possible_duplicate` with a note. A CIN that is not your plan's member "
                    "is refused (400, rule `referral.member_not_enrolled`).",
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample("Refer", request_only=True, value={
                "member_cin": "91234567A", "program": "ccs", "suspected_condition": "Congenital heart disease (Q21.0)",
                "reason": "Cardiology follow-up", "urgency": "routine", "reporter_name": "Pat Liaison",
                "reporter_phone": "916-555-0100", "external_reference": "VHP-REF-5531"}),
            OpenApiExample("Referral received", value=REFERRAL_EXAMPLE, response_only=True),
        ],
    ),
)
class ReferralViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def get_serializer_class(self):
        return ReferralCreateSerializer if self.action == "create" else ReferralSerializer

    def get_visible_queryset(self, user):
        if not is_plan_caller(user):
            return Referral.objects.none()
        return Referral.objects.filter(
            source_organization_id=user.organization_id, member__in=member_list_visible_to(user=user)
        ).select_related("member", "organization")

    def members_of(self, objects):
        return [referral.member for referral in objects]

    def create(self, request, *args, **kwargs):
        if not is_plan_caller(request.user):
            raise exceptions.PermissionDenied("Referrals through the API come from a plan: use a plan liaison's token.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cin = data.pop("member_cin").strip().upper()
        if data.pop("program") != Program.CCS:
            raise RuleViolation("Plans refer members to CCS through the API; ECM and DMC-ODS referrals go through "
                                "their own channels.", field="program", rule="referral.program_supported")
        member = member_list_visible_to(user=request.user).filter(cin=cin).select_related("county").first()
        if member is None:
            raise RuleViolation("No member enrolled in your plan has this CIN.", field="member_cin",
                                rule="referral.member_not_enrolled")
        result = ccs_referral_intake(
            actor=request.user, organization=ccs_program_for(member.county), source=Referral.Source.HEALTH_PLAN,
            member=member, source_organization=request.user.organization, **data,
        )
        referral = Referral.objects.select_related("member", "organization").get(pk=result.referral.pk)
        self.record_read([referral], action="create")
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
