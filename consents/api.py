"""API: a member's consents, read-only, scoped through the member selectors.

``GET /api/members/<id>/consents/`` lists the consents of a member the caller may see
(404 otherwise). A plan liaison sees a member's Part 2 consents only when SUD
information may go to their plan under one of them (``consents.selectors``).
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from carecoord.api.schema import READ_ERRORS
from carecoord.api.serializers import ModelSerializer, Serializer
from carecoord.api.views import ScopedReadOnlyViewSet
from cases.selectors import member_get_for_user

from .models import Consent
from .selectors import consents_for_member


class OrganizationRefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConsentSerializer(ModelSerializer):
    status = serializers.SerializerMethodField(help_text="active, pending (not yet effective), revoked or expired — now.")
    recipients = OrganizationRefSerializer(many=True, help_text="Organizations named as recipients.")
    recipient_persons = serializers.ListField(child=serializers.CharField(), help_text="People named as recipients.")
    recipient_categories = serializers.ListField(
        child=serializers.CharField(),
        help_text="Recipients described generically: member_plan, primary_care, treating_providers, care_team.")
    purposes = serializers.ListField(child=serializers.CharField(), help_text="Purposes the consent allows.")
    data_categories = serializers.ListField(
        child=serializers.CharField(), help_text="general, mental_health, sud, hiv, reproductive, education.")

    class Meta:
        model = Consent
        fields = ["id", "kind", "status", "recipients", "recipient_persons", "recipient_categories", "tpo_generic",
                  "purposes", "data_categories", "effective_on", "expires_on", "expiry_event", "signed_on",
                  "revoked_at", "event_occurred_at", "recorded_at"]

    def get_status(self, consent) -> str:
        return consent.status()


EXAMPLE = OpenApiExample("A Part 2 consent naming the plan", value=[{
    "id": 12, "kind": "part2", "status": "active", "recipients": [{"id": 3, "name": "Valley Health Plan"}],
    "recipient_persons": [], "recipient_categories": [], "tpo_generic": False,
    "purposes": ["care_coordination"], "data_categories": ["sud", "general"], "effective_on": "2026-09-01",
    "expires_on": "2027-09-01", "expiry_event": "", "signed_on": "2026-09-01", "revoked_at": None,
    "event_occurred_at": None, "recorded_at": "2026-09-01T10:12:00-07:00"}], response_only=True)


@extend_schema_view(
    list=extend_schema(
        summary="A member's consents",
        description="Consents and authorizations of a member you may see, newest first, with their status now. "
                    "Part 2 (SUD) consents appear to a plan only when one of them lets SUD information go to that plan.",
        responses={200: ConsentSerializer(many=True), **READ_ERRORS}, examples=[EXAMPLE], tags=["consents"],
    ),
)
class MemberConsentViewSet(ScopedReadOnlyViewSet):
    queryset = Consent.objects.none()  # for the schema generator only; rows come from get_visible_queryset
    serializer_class = ConsentSerializer
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    def get_visible_queryset(self, user):
        member = member_get_for_user(user=user, member_id=self.kwargs["member_id"])
        return consents_for_member(user=user, member=member).order_by("-effective_on", "-pk")

    def members_of(self, objects):
        return [self.kwargs["member_id"]] if objects else []
