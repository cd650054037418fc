"""API: transitions of care and residential plan notifications, plan-scoped.

* ``GET /api/transitions/`` and ``/api/transitions/<id>/`` — transitions of care of the cases the caller
  sees, with every step (who and when).
* ``GET /api/residential-notifications/`` and ``/<id>/`` — residential admission/discharge notifications;
  a plan liaison sees those sent to their own plan.
* ``POST /api/residential-stays/<episode_id>/notifications/`` — a county case manager records that the plan
  was told (channel, person reached); meets the 24-hour clock. Liaisons may not.

What a plan liaison sees follows ``cases.selectors.case_list_visible_to`` (members enrolled with the plan);
DMC-ODS (42 CFR Part 2) transitions are shown to a plan only while a Part 2 consent in force names the plan.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from carecoord.accounts.models import User
from carecoord.api.schema import READ_ERRORS, WRITE_ERRORS
from carecoord.api.serializers import ModelSerializer, Serializer
from carecoord.api.views import ScopedReadOnlyViewSet, model_label, record_access

from cases.selectors import require_case_change

from . import services
from .models import CareTransition, PlanNotification, TransitionStep
from .selectors import episode_get_for_user, plan_notification_list_visible_to, transition_list_visible_to


def _part2_open_to_plan(plan_id) -> Exists:
    from consents.models import PART2_KINDS, Consent

    day = timezone.localdate()
    now = timezone.now()
    return Exists(Consent.objects.filter(member=OuterRef("member_id"), kind__in=PART2_KINDS, recipients=plan_id,
                                         effective_on__lte=day)
                  .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=day), Q(revoked_at__isnull=True) | Q(revoked_at__gt=now),
                          Q(event_occurred_at__isnull=True) | Q(event_occurred_at__gt=now)))


class StepSerializer(ModelSerializer):
    by = serializers.StringRelatedField(help_text="Who recorded the step.")

    class Meta:
        model = TransitionStep
        fields = ["step", "at", "by", "note"]


class TransitionSerializer(ModelSerializer):
    member = serializers.IntegerField(source="member_id")
    case = serializers.IntegerField(source="case_id")
    recipient_organization = serializers.StringRelatedField()
    receiving_county = serializers.StringRelatedField()
    referral_status = serializers.CharField(source="referral.status", default=None, help_text="The outbound referral's status.")
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = CareTransition
        fields = ["id", "kind", "status", "member", "case", "from_setting", "to_setting", "from_asam_level", "to_asam_level",
                  "recipient_organization", "recipient_contact", "receiving_county", "event_at", "appointment_at",
                  "last_step_at", "closed_at", "referral_status", "steps"]


TRANSITION_EXAMPLE = OpenApiExample("Residential to outpatient", response_only=True, value={
    "id": 7, "kind": "setting_change", "status": "open", "member": 31, "case": 44, "from_setting": "residential",
    "to_setting": "outpatient", "from_asam_level": "3.5", "to_asam_level": "1.0",
    "recipient_organization": "Harbor Outpatient Recovery", "recipient_contact": "Intake", "receiving_county": None,
    "event_at": "2026-11-10T09:00:00-08:00", "appointment_at": "2026-11-14T10:00:00-08:00",
    "last_step_at": "2026-11-12T15:30:00-08:00", "closed_at": None, "referral_status": "scheduled",
    "steps": [{"step": "opened", "at": "2026-11-10T09:00:00-08:00", "by": "Dana Reyes", "note": ""},
              {"step": "member_informed", "at": "2026-11-10T09:30:00-08:00", "by": "Dana Reyes", "note": ""}]})


@extend_schema_view(
    list=extend_schema(summary="Transitions of care", tags=["transitions"], examples=[TRANSITION_EXAMPLE],
                       description="Transitions of care (setting and ASAM level-of-care changes, hospital discharges, "
                                   "pediatric to adult, inter-county transfers) of the members you may see, newest first, "
                                   "each with its steps (who and when). Filter with `status` and `kind`.",
                       parameters=[OpenApiParameter("status", str, enum=CareTransition.Status.values),
                                   OpenApiParameter("kind", str, enum=CareTransition.Kind.values)],
                       responses={200: TransitionSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary="One transition of care", tags=["transitions"], examples=[TRANSITION_EXAMPLE],
                           responses={200: TransitionSerializer, **READ_ERRORS}),
)
class TransitionViewSet(ScopedReadOnlyViewSet):
    serializer_class = TransitionSerializer

    def get_visible_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return CareTransition.objects.none()
        qs = transition_list_visible_to(user=user).prefetch_related("steps__by")
        if user.role == User.Role.PLAN_LIAISON:
            qs = qs.filter(~Q(case__program="dmc_ods") | Q(_part2_open_to_plan(user.organization_id)))
        for name in ("status", "kind"):
            value = self.request.query_params.get(name)
            if value:
                qs = qs.filter(**{name: value})
        return qs.order_by("-event_at", "-pk")

    def members_of(self, objects):
        return [t.member_id for t in objects]


class PlanNotificationSerializer(ModelSerializer):
    member = serializers.IntegerField(source="episode.case.member_id", read_only=True)
    setting = serializers.CharField(source="episode.setting", read_only=True)
    provider = serializers.CharField(source="episode.provider_display", read_only=True)
    event_at = serializers.SerializerMethodField()
    plan = serializers.StringRelatedField(read_only=True)
    notified_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = PlanNotification
        fields = ["id", "member", "setting", "provider", "event", "event_at", "plan", "channel", "person_reached",
                  "notified_at", "notified_by", "follow_up_services"]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_event_at(self, obj):
        value = obj.episode.admitted_at if obj.event == PlanNotification.Event.ADMISSION else obj.episode.discharged_at
        return serializers.DateTimeField().to_representation(value) if value else None


class PlanNotificationCreateSerializer(Serializer):
    event = serializers.ChoiceField(choices=PlanNotification.Event.choices)
    channel = serializers.ChoiceField(choices=PlanNotification.Channel.choices)
    person_reached = serializers.CharField(max_length=200)
    notified_at = serializers.DateTimeField()
    follow_up_services = serializers.CharField(required=False, allow_blank=True, default="")


NOTIFICATION_EXAMPLE = OpenApiExample("Admission told by phone", response_only=True, value={
    "id": 3, "member": 31, "setting": "residential", "provider": "New Dawn Residential Treatment", "event": "admission",
    "event_at": "2026-11-20T08:15:00-08:00", "plan": "Valley Health Plan", "channel": "phone",
    "person_reached": "J. Kim, UM nurse", "notified_at": "2026-11-20T13:02:00-08:00", "notified_by": "Dana Reyes",
    "follow_up_services": ""})


@extend_schema_view(
    list=extend_schema(summary="Residential admission and discharge notifications", tags=["transitions"],
                       description="Notifications of residential SUD admissions and discharges (due within 24 hours). "
                                   "A plan liaison sees those sent to their plan.",
                       examples=[NOTIFICATION_EXAMPLE], responses={200: PlanNotificationSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary="One residential notification", tags=["transitions"], examples=[NOTIFICATION_EXAMPLE],
                           responses={200: PlanNotificationSerializer, **READ_ERRORS}),
)
class PlanNotificationViewSet(ScopedReadOnlyViewSet):
    serializer_class = PlanNotificationSerializer

    def get_visible_queryset(self, user):
        if getattr(self, "swagger_fake_view", False):
            return PlanNotification.objects.none()
        return plan_notification_list_visible_to(user=user)

    def members_of(self, objects):
        return [n.episode.case.member_id for n in objects]


class RecordPlanNotificationViewSet(viewsets.GenericViewSet):
    serializer_class = PlanNotificationCreateSerializer

    @extend_schema(summary="Record that the plan was told of a residential admission or discharge", tags=["transitions"],
                   description="County staff record how (phone, secure email, fax) and whom they reached at the member's "
                               "plan. Meets the 24-hour clock; refused without a consent letting SUD information go to the "
                               "plan (field `consent`). Plan liaisons may not call this.",
                   request=PlanNotificationCreateSerializer,
                   responses={201: PlanNotificationSerializer, **WRITE_ERRORS},
                   examples=[OpenApiExample("The plan's UM nurse told by phone", request_only=True, value={
                       "event": "admission", "channel": "phone", "person_reached": "J. Kim, UM nurse",
                       "notified_at": "2026-11-20T13:02:00-08:00", "follow_up_services": ""}), NOTIFICATION_EXAMPLE])
    def create(self, request, episode_id: int):
        if request.user.role == User.Role.PLAN_LIAISON:
            raise exceptions.PermissionDenied()
        episode = episode_get_for_user(user=request.user, episode_id=episode_id)
        require_case_change(user=request.user, case=episode.case)
        serializer = PlanNotificationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notification = services.plan_notification_record(episode=episode, notified_by=request.user, **serializer.validated_data)
        record_access(request, members=[episode.case.member_id], action="view",
                      records=[(model_label(notification), notification.pk)])
        return Response(PlanNotificationSerializer(notification).data, status=status.HTTP_201_CREATED)
