"""API: notifications a plan received, and their acknowledgement.

``GET /api/notifications/`` — a plan liaison lists the notices sent to their plan
(recipient organization = their plan) about members they may see; other users list
the notices of cases they may see. ``POST /api/notifications/<id>/acknowledge/``
records that the plan received one (e.g. a residential admission notification).
"""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from carecoord.api.schema import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from carecoord.api.serializers import ModelSerializer
from carecoord.api.views import ScopedReadOnlyViewSet

from .models import Notice
from .selectors import notice_list_for_plan, notice_list_visible_to
from .services import notice_acknowledge


class NoticeSerializer(ModelSerializer):
    member = serializers.SerializerMethodField(help_text="The member the notice is about: id, name and Medi-Cal CIN.")
    recipient_org = serializers.SerializerMethodField(help_text="The receiving organization, if any.")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "kind", "kind_display", "member", "case", "recipient_kind", "recipient_org", "recipient_name",
                  "channel", "status", "language", "language_fallback", "template_version", "subject", "body",
                  "action_date", "notice_date", "sent_at", "mailed_on", "acknowledged_at"]
        extra_kwargs = {
            "status": {"help_text": "draft, queued, sent, mailed, returned, acknowledged or failed."},
            "body": {"help_text": "The exact text as sent."},
        }

    def get_member(self, notice) -> dict:
        return {"id": notice.member_id, "name": notice.member.full_name, "cin": notice.member.cin}

    def get_recipient_org(self, notice) -> dict | None:
        org = notice.recipient_org
        return {"id": org.pk, "name": org.name} if org else None


class NoticeFilter(django_filters.FilterSet):
    acknowledged = django_filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True,
                                                label="true: acknowledged only; false: awaiting acknowledgement")

    class Meta:
        model = Notice
        fields = ["kind", "status", "acknowledged"]


EXAMPLE = OpenApiExample("A residential admission notification awaiting acknowledgement", value={
    "id": 41, "kind": "residential_admission", "kind_display": "Plan notification of residential admission",
    "member": {"id": 7, "name": "Daniel Reyes", "cin": "91234567A"}, "case": 12, "recipient_kind": "plan",
    "recipient_org": {"id": 3, "name": "Valley Health Plan"}, "recipient_name": "Valley Health Plan", "channel": "secure_email",
    "status": "sent", "language": "en", "language_fallback": False, "template_version": 1,
    "subject": "Residential treatment admission: Daniel Reyes", "body": "Dear Valley Health Plan: …",
    "action_date": None, "notice_date": "2026-11-23", "sent_at": "2026-11-23T09:12:00-08:00", "mailed_on": None,
    "acknowledged_at": None}, response_only=True)


@extend_schema_view(
    list=extend_schema(
        summary="Notifications sent to your plan",
        description="Notices whose recipient is your organization (for a plan liaison: your plan), about members you may "
                    "see, newest first. Drafts and notices not yet sent are not listed. Filter `acknowledged=false` for "
                    "those awaiting your acknowledgement.",
        responses={200: NoticeSerializer(many=True), **LIST_ERRORS}, examples=[EXAMPLE], tags=["notifications"]),
    retrieve=extend_schema(summary="One notification", responses={200: NoticeSerializer, **READ_ERRORS},
                           examples=[EXAMPLE], tags=["notifications"]),
)
class NoticeViewSet(ScopedReadOnlyViewSet):
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter

    def get_visible_queryset(self, user):
        if getattr(user, "role", "") == "plan_liaison":
            return notice_list_for_plan(user=user).order_by("-created_at", "-pk")
        return notice_list_visible_to(user=user).order_by("-created_at", "-pk")

    def members_of(self, objects):
        return [notice.member for notice in objects]

    @extend_schema(
        summary="Acknowledge a notification",
        description="Record that your organization received this notification. Only the receiving organization may "
                    "acknowledge; acknowledging twice is harmless. A notice not yet sent answers 400 "
                    "(`notice.ack_state`); another organization's notice answers 404.",
        request=None, responses={200: NoticeSerializer, **WRITE_ERRORS}, examples=[EXAMPLE], tags=["notifications"],
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        notice = notice_acknowledge(notice=self.get_object(), by=request.user)
        self.record_read([notice], action="view")
        return Response(self.get_serializer(notice).data)
