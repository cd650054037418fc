"""Directory search for API clients (plans look up the CCS provider network they share with the county)."""
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoord.accounts.models import County, Organization
from carecoord.api.serializers import ModelSerializer, Serializer
from cases.models import Language

from .models import ProviderProfile, Service
from .selectors import provider_search


class ProviderSearchQuerySerializer(Serializer):
    service = serializers.SlugRelatedField(slug_field="code", queryset=Service.objects.all(), required=False,
                                           help_text="Service or specialty code, e.g. pulmonology.")
    county = serializers.PrimaryKeyRelatedField(queryset=County.objects.all(), required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    plan = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.filter(type=Organization.Type.MCP), required=False)
    accepting_only = serializers.BooleanField(required=False, default=False)
    ccs_paneled_only = serializers.BooleanField(required=False, default=False, help_text="Only providers CCS-paneled today.")


class ProviderSerializer(ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="organization.name")
    type = serializers.CharField(source="organization.type")
    services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    plans = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    counties_served = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ProviderProfile
        fields = ["id", "name", "type", "is_community_resource", "services", "ccs_paneling", "paneled_from", "paneled_until",
                  "special_care_center", "plans", "counties_served", "languages", "accepting_new_patients", "phone",
                  "street", "city", "zip_code"]


class ProviderSearchView(APIView):
    @extend_schema(
        summary="Search the care network",
        description="Providers and community resources matching every given filter (need, county, language, plan), "
                    "at most 50, by name. The directory holds no member data.",
        parameters=[ProviderSearchQuerySerializer],
        responses=ProviderSerializer(many=True),
        tags=["directory"],
        examples=[OpenApiExample("A Spanish-speaking pulmonologist", value=[{
            "id": 3, "name": "Capitol Pediatric Pulmonology", "type": "ccs_physician", "is_community_resource": False,
            "services": ["pulmonology"], "ccs_paneling": "paneled", "paneled_from": "2024-01-01", "paneled_until": None,
            "special_care_center": False, "plans": [6], "counties_served": [1], "languages": ["en", "es"],
            "accepting_new_patients": True, "phone": "916-555-0160", "street": "2 Capitol Mall", "city": "Sacramento",
            "zip_code": "95814"}], response_only=True)],
    )
    def get(self, request):
        query = ProviderSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        hits = provider_search(service=data["service"].code if data.get("service") else None, county=data.get("county"),
                               language=data.get("language"), plan=data.get("plan"), accepting_only=data["accepting_only"],
                               ccs_paneled_only=data["ccs_paneled_only"])
        hits.sort(key=lambda hit: hit.profile.organization.name)
        return Response(ProviderSerializer([hit.profile for hit in hits], many=True).data)
