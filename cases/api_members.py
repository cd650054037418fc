"""API of members (with their coverage) and cases (with their status) for plans and staff.

Everything is loaded through ``cases.selectors``: a plan sees the members enrolled
with it and their cases; anything else is a 404. DMC-ODS case details are
substance use disorder data: a plan sees them only under a Part 2 consent that
names it (``carecoord.api.disclosure``).
"""
from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets

from carecoord.api.disclosure import account_sud_disclosures, is_plan_caller, sud_allowed_members
from carecoord.api.filters import UtcIsoDateTimeFilter
from carecoord.api.schema import IF_MATCH, LIST_ERRORS, PRECONDITION, READ_ERRORS, WRITE_ERRORS
from carecoord.api.serializers import ModelSerializer, Serializer
from carecoord.api.views import ScopedReadOnlyViewSet, ScopedViewSetMixin, VersionedUpdateMixin
from carecoord.audit.access import shows_part2
from carecoord.expressions import Holds

from .models import Case, Coverage, Member, Program
from .selectors import case_editable_by, case_list_visible_to, member_list_visible_to
from .services import case_update_details
from .validators import validate_icd10_list

# Fields of a DMC-ODS case that are SUD (42 CFR Part 2) data.
SUD_CASE_FIELDS = ("diagnoses", "asam_level")


class RefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CoverageSerializer(ModelSerializer):
    plan = RefSerializer(allow_null=True)
    active = serializers.SerializerMethodField(help_text="Whether the coverage is in force today.")

    class Meta:
        model = Coverage
        fields = ["id", "kind", "plan", "start_date", "end_date", "aid_code", "active"]

    def get_active(self, coverage) -> bool:
        return coverage.is_active_on(self.context["today"])


class AddressSerializer(Serializer):
    line1 = serializers.CharField(source="address_line1")
    line2 = serializers.CharField(source="address_line2")
    city = serializers.CharField()
    state = serializers.CharField()
    zip_code = serializers.CharField()
    valid = serializers.BooleanField(source="address_valid", help_text="False when mail came back undeliverable.")


class CaseRefSerializer(ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "program", "status", "case_number"]


class MemberSerializer(ModelSerializer):
    ssn = serializers.SerializerMethodField(help_text="Masked (last four digits) unless your role may see full identifiers; empty if unknown.")
    address = AddressSerializer(source="*")
    county = RefSerializer()
    primary_care_provider = RefSerializer(allow_null=True)
    coverage = CoverageSerializer(source="coverage_periods", many=True, help_text="Medi-Cal coverage periods, newest first.")
    cases = CaseRefSerializer(source="visible_cases", many=True, help_text="The member's cases you may see.")

    class Meta:
        model = Member
        fields = ["id", "cin", "first_name", "middle_name", "last_name", "date_of_birth", "sex", "ssn",
                  "preferred_language", "address", "phone", "email", "county", "primary_care_provider",
                  "meds_status", "coverage", "cases"]

    def get_ssn(self, member) -> str:
        user = self.context["request"].user
        return member.ssn if getattr(user, "may_see_full_identifiers", False) else member.ssn_masked


# What a member response reads: the member, and of the organizations it names (county, primary care provider, each
# coverage's plan) their name. Whole organization rows, one a coverage period, were a twentieth of a page; the
# member's coverage and cases are read with their member's id, which ties them to it.
MEMBER_RESPONSE_COLUMNS = (*(field.name for field in Member._meta.concrete_fields), "county__name",
                           "primary_care_provider__name")
COVERAGE_RESPONSE_COLUMNS = ("member", *(name for name in CoverageSerializer.Meta.fields if name not in ("plan", "active")),
                             "plan__name")


class MemberFilter(django_filters.FilterSet):
    cin = django_filters.CharFilter(help_text="Medi-Cal CIN, exact (e.g. 91234567A).")
    last_name = django_filters.CharFilter(lookup_expr="istartswith", help_text="Last name starts with (any case).")
    date_of_birth = django_filters.DateFilter(help_text="ISO date, e.g. 2015-04-02.")
    county = django_filters.NumberFilter(field_name="county_id", help_text="County id.")
    program = django_filters.ChoiceFilter(choices=Program.choices, method="filter_program",
                                          help_text="Members with a case in this program.")

    class Meta:
        model = Member
        fields = ["cin", "last_name", "date_of_birth", "county", "program"]

    def filter_program(self, queryset, name, value):
        return queryset.filter(Holds(Exists(Case.objects.filter(member=OuterRef("pk"), program=value))))


MEMBER_EXAMPLE = {
    "id": 42, "cin": "91234567A", "first_name": "Ana", "middle_name": "", "last_name": "Reyes",
    "date_of_birth": "2014-03-09", "sex": "F", "ssn": "***-**-6789", "preferred_language": "es",
    "address": {"line1": "12 Elm St", "line2": "", "city": "Sacramento", "state": "CA", "zip_code": "95814", "valid": True},
    "phone": "916-555-0134", "email": "", "county": {"id": 1, "name": "Sacramento"},
    "primary_care_provider": {"id": 7, "name": "Capitol Pediatrics"}, "meds_status": "active",
    "coverage": [{"id": 5, "kind": "mcp", "plan": {"id": 3, "name": "Valley Health Plan"}, "start_date": "2025-01-01",
                  "end_date": None, "aid_code": "1H", "active": True}],
    "cases": [{"id": 17, "program": "ccs", "status": "open", "case_number": "CCS-034-00017"}],
}


@extend_schema_view(
    list=extend_schema(
        summary="List your plan's members",
        description="Members enrolled in your plan today, and members with a case you may see, with their coverage "
                    "periods and cases. Cursor-paginated; filter with the query parameters.",
        responses={200: MemberSerializer(many=True), **LIST_ERRORS},
        examples=[OpenApiExample("A member", value=MEMBER_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One member with coverage",
        description="A member of your plan. A member who is not yours answers 404.",
        responses={200: MemberSerializer, **READ_ERRORS},
        examples=[OpenApiExample("A member", value=MEMBER_EXAMPLE, response_only=True)],
    ),
)
class MemberViewSet(ScopedReadOnlyViewSet):
    serializer_class = MemberSerializer
    filterset_class = MemberFilter

    def get_visible_queryset(self, user):
        return (member_list_visible_to(user=user).select_related("county", "primary_care_provider")
                .only(*MEMBER_RESPONSE_COLUMNS).prefetch_related(
                    # Into lists (to_attr), as the cases are: a prefetch into the related manager's cache builds and
                    # filters a queryset for each member, a twentieth of a 50-member page.
                    Prefetch("coverages", queryset=Coverage.objects.select_related("plan").only(*COVERAGE_RESPONSE_COLUMNS),
                             to_attr="coverage_periods"),
                    Prefetch("cases", queryset=case_list_visible_to(user=user).order_by("-referred_at")
                             .only("member", *CaseRefSerializer.Meta.fields), to_attr="visible_cases"),
                ))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def members_of(self, objects):
        return objects


class PersonSerializer(Serializer):
    name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)


class CaseMemberSerializer(ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "cin", "first_name", "last_name", "date_of_birth"]


class CaseSerializer(ModelSerializer):
    member = CaseMemberSerializer()
    organization = RefSerializer(help_text="The program or provider responsible for the case.")
    primary_case_manager = serializers.SerializerMethodField()
    diagnoses = serializers.ListField(child=serializers.CharField(), allow_null=True,
                                      help_text="ICD-10-CM codes. null when withheld (see withheld).")
    asam_level = serializers.CharField(allow_null=True, help_text="DMC-ODS: ASAM level of care. null when withheld.")
    withheld = serializers.SerializerMethodField(
        help_text="Fields left out because they are SUD (42 CFR Part 2) data and no Part 2 consent names your plan."
    )

    class Meta:
        model = Case
        fields = ["id", "member", "program", "status", "case_number", "organization", "primary_case_manager",
                  "referred_at", "opened_at", "closed_at", "closed_reason", "eligibility_date", "diagnoses",
                  "referral_source", "populations_of_focus", "asam_level", "member_informed_of_coordinator_at",
                  "last_activity_at", "version", "withheld"]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_primary_case_manager(self, case):
        manager = case.primary_case_manager
        if manager is None:
            return None
        return {"name": str(manager), "email": manager.email}

    def _withheld(self, case) -> list[str]:
        # Decided once for all the DMC-ODS cases being serialized (a page), not one query per case.
        withheld = self.context.get("_withheld")
        if withheld is None or case.pk not in withheld:
            in_list = isinstance(self.parent, serializers.ListSerializer) and self.parent.instance is not None
            cases = list(self.parent.instance) if in_list else [case]
            sud_cases = [c for c in cases if c.program == Program.DMC_ODS]
            allowed = sud_allowed_members(user=self.context["request"].user, members=[c.member for c in sud_cases])
            withheld = self.context.setdefault("_withheld", {})
            for c in cases:
                hide = c.program == Program.DMC_ODS and c.member_id not in allowed
                withheld[c.pk] = list(SUD_CASE_FIELDS) if hide else []
        return withheld[case.pk]

    def get_withheld(self, case) -> list[str]:
        return self._withheld(case)

    def to_representation(self, case):
        data = super().to_representation(case)
        for name in self._withheld(case):
            data[name] = None
        return data


# What a case response reads: the whole case, and of its member, organization and case manager only what
# it shows. The member row is wide (address, identifiers) and the user row carries the password hash;
# loading them whole took about a sixth of a case list's time.
CASE_RESPONSE_COLUMNS = (
    *(field.name for field in Case._meta.concrete_fields),
    *(f"member__{name}" for name in CaseMemberSerializer.Meta.fields),
    "organization__name",
    *(f"primary_case_manager__{name}" for name in ("first_name", "last_name", "username", "email")),
)


class CaseUpdateSerializer(Serializer):
    """The case details a responsible organization may change (status moves are separate)."""

    case_number = serializers.CharField(max_length=32, allow_blank=True, required=False)
    eligibility_date = serializers.DateField(allow_null=True, required=False)
    diagnoses = serializers.ListField(child=serializers.CharField(max_length=10), required=False,
                                      validators=[validate_icd10_list], help_text="ICD-10-CM codes, e.g. [\"Q90.9\"].")
    populations_of_focus = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    asam_level = serializers.CharField(max_length=8, allow_blank=True, required=False)
    member_informed_of_coordinator_at = serializers.DateTimeField(allow_null=True, required=False)


class CaseFilter(django_filters.FilterSet):
    program = django_filters.ChoiceFilter(choices=Program.choices)
    status = django_filters.ChoiceFilter(choices=Case.Status.choices)
    member = django_filters.NumberFilter(field_name="member_id", help_text="Member id.")
    case_number = django_filters.CharFilter()
    referred_after = django_filters.DateFilter(field_name="referred_at", lookup_expr="date__gte",
                                               help_text="Referred on or after this ISO date.")
    referred_before = django_filters.DateFilter(field_name="referred_at", lookup_expr="date__lte",
                                                help_text="Referred on or before this ISO date.")
    active_since = UtcIsoDateTimeFilter(field_name="last_activity_at", lookup_expr="gte",
                                                    help_text="Changed at or after this ISO date-time (for syncing).")

    class Meta:
        model = Case
        fields = ["program", "status", "member", "case_number", "referred_after", "referred_before", "active_since"]


CASE_EXAMPLE = {
    "id": 17, "member": {"id": 42, "cin": "91234567A", "first_name": "Ana", "last_name": "Reyes", "date_of_birth": "2014-03-09"},
    "program": "ccs", "status": "open", "case_number": "CCS-034-00017",
    "organization": {"id": 2, "name": "Sacramento County CCS"},
    "primary_case_manager": {"name": "Nora Nurse", "email": "nurse@example.org"},
    "referred_at": "2026-09-01T09:12:00-07:00", "opened_at": "2026-09-10T15:00:00-07:00", "closed_at": None,
    "closed_reason": "", "eligibility_date": "2026-09-10", "diagnoses": ["Q90.9"], "referral_source": "health_plan",
    "populations_of_focus": [], "asam_level": "", "member_informed_of_coordinator_at": None,
    "last_activity_at": "2026-11-20T10:30:00-08:00", "version": 3, "withheld": [],
}
CASE_WITHHELD_EXAMPLE = {
    **CASE_EXAMPLE, "program": "dmc_ods", "case_number": "", "diagnoses": None, "asam_level": None,
    "withheld": list(SUD_CASE_FIELDS),
}


@extend_schema_view(
    list=extend_schema(
        summary="List cases of your plan's members",
        description="CCS, ECM and DMC-ODS cases of members enrolled in your plan, newest first, with their status. "
                    "Use `active_since` to fetch only what changed since your last sync.",
        responses={200: CaseSerializer(many=True), **LIST_ERRORS},
        examples=[OpenApiExample("A CCS case", value=CASE_EXAMPLE, response_only=True),
                  OpenApiExample("A DMC-ODS case without Part 2 consent", value=CASE_WITHHELD_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One case and its status",
        description='A case with its status. The `ETag` response header (W/"<version>") is what `If-Match` needs '
                    "for an update.",
        responses={200: CaseSerializer, **READ_ERRORS},
        examples=[OpenApiExample("A CCS case", value=CASE_EXAMPLE, response_only=True)],
    ),
    partial_update=extend_schema(
        summary="Change case details (If-Match required)",
        description="Only the organization responsible for the case (e.g. the plan, for Whole Child Model and ECM "
                    "cases it manages) may change its details. Send the ETag of your last GET in `If-Match`: a "
                    "stale one gets 412 and nothing is written.",
        parameters=[IF_MATCH],
        request=CaseUpdateSerializer,
        responses={200: CaseSerializer, **WRITE_ERRORS, **PRECONDITION},
        examples=[
            OpenApiExample("Record the diagnoses", value={"diagnoses": ["Q90.9", "G80.1"]}, request_only=True),
            OpenApiExample("Updated case", value={**CASE_EXAMPLE, "version": 4}, response_only=True),
        ],
    ),
)
class CaseViewSet(VersionedUpdateMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    filterset_class = CaseFilter
    read_serializer_class = CaseSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_serializer_class(self):
        return CaseUpdateSerializer if self.action == "partial_update" else CaseSerializer

    def get_visible_queryset(self, user):
        return (case_list_visible_to(user=user).select_related("member", "organization", "primary_case_manager")
                .only(*CASE_RESPONSE_COLUMNS))

    def members_of(self, objects):
        return [case.member for case in objects]

    def part2_of(self, objects):
        return shows_part2(case.program for case in objects)

    def after_serialize(self, objects, serializer):
        # SUD details a plan was shown under its Part 2 consent go in the accounting of disclosures.
        if not is_plan_caller(self.request.user):
            return
        withheld = serializer.context.get("_withheld", {})
        shown = [(case.member, case) for case in objects if case.program == Program.DMC_ODS and not withheld.get(case.pk)]
        account_sud_disclosures(user=self.request.user, rows=shown,
                                description="DMC-ODS case: diagnoses and ASAM level (API)")

    def perform_versioned_update(self, instance, validated_data, expected_version):
        if not case_editable_by(user=self.request.user, case=instance):
            raise exceptions.PermissionDenied("Only the organization responsible for the case may change it.")
        return case_update_details(case=instance, expected_version=expected_version, actor=self.request.user,
                                   **validated_data)
