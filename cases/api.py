"""CCS API: the plans' tracking list (paginated JSON and a streamed CSV).

A plan liaison's token sees the CCS cases of members enrolled in the liaison's plan
(``cases.ccs_selectors.ccs_tracking_list``); county staff name the plan with
``?plan=<id>`` and see the cases they may see. Every page or export is written to the
access log (action ``list`` / ``export``) and to the accounting of disclosures when it
leaves for a plan.
"""
from __future__ import annotations

import csv
import io

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.views import APIView

from carecoord.accounts.models import Organization, User
from carecoord.api.schema import error_response
from carecoord.api.serializers import Serializer
from carecoord.audit.access import record_access
from carecoord.db_routers import reports_db_alias
from carecoord.spreadsheets import formula_safe
from consents.models import Purpose
from consents.services import disclose_bulk

from .ccs_selectors import (TRACKING_FIELDS, TRACKING_STATUSES, _referral_source_labels, as_tuples, ccs_tracking_list,
                            tracking_cells, tracking_row)


class TrackingRowSerializer(Serializer):
    """One member on the tracking list: exactly the fields of the CCS/plan memorandum."""

    name = serializers.CharField(help_text="Member's full name.")
    ccs_case_number = serializers.CharField(allow_null=True, help_text="Assigned when the child is found eligible.")
    date_of_birth = serializers.DateField()
    ssn = serializers.CharField(allow_null=True, help_text="Only if known; masked (***-**-1234) unless your account may see full identifiers.")
    ccs_eligible_diagnoses = serializers.ListField(child=serializers.CharField(), help_text="ICD-10-CM codes.")
    date_of_eligibility = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=TRACKING_STATUSES, help_text="pending, eligible, denied or closed.")
    reason_closed = serializers.CharField(allow_null=True, help_text="For a denial or closure: the reason.")
    date_closed = serializers.DateField(allow_null=True, help_text="For a denial or closure: the date.")
    referral_source = serializers.CharField(allow_null=True)
    primary_care_provider = serializers.CharField(allow_null=True, help_text="Primary care provider on file, if known.")

    def to_representation(self, values):
        return super().to_representation(tracking_row(values, full_identifiers=self.context["full_identifiers"],
                                                      source_labels=self.context["source_labels"]))


class TrackingCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class TrackingFilterSerializer(Serializer):
    status = serializers.ChoiceField(choices=TRACKING_STATUSES, required=False)
    eligible_from = serializers.DateField(required=False)
    eligible_to = serializers.DateField(required=False)
    changed_since = serializers.DateTimeField(required=False)
    plan = serializers.IntegerField(required=False)


TRACKING_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(TRACKING_STATUSES), description="Only rows with this status."),
    OpenApiParameter("eligible_from", OpenApiTypes.DATE, description="Date of eligibility on or after."),
    OpenApiParameter("eligible_to", OpenApiTypes.DATE, description="Date of eligibility on or before."),
    OpenApiParameter("changed_since", OpenApiTypes.DATETIME, description="Cases with any activity since (for incremental pulls)."),
    OpenApiParameter("plan", OpenApiTypes.INT, description="County staff only: the plan whose members to list. "
                                                          "A plan liaison always gets their own plan."),
]

TRACKING_EXAMPLE = {
    "name": "Sofia Garcia", "ccs_case_number": "06067-2026-000017", "date_of_birth": "2016-03-02", "ssn": "***-**-3000",
    "ccs_eligible_diagnoses": ["E84.0"], "date_of_eligibility": "2026-10-14", "status": "eligible", "reason_closed": None,
    "date_closed": None, "referral_source": "Health care provider", "primary_care_provider": "Oak Park Family Medicine",
}


def _filters(request) -> tuple[dict, Organization | None]:
    params = TrackingFilterSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = dict(params.validated_data)
    plan_id = data.pop("plan", None)
    user = request.user
    plan = None
    if user.role != User.Role.PLAN_LIAISON:
        if plan_id is None:
            raise exceptions.ValidationError({"plan": ["Name the plan (?plan=<id>)."]}, code="tracking.plan_required")
        plan = Organization.objects.filter(pk=plan_id, type=Organization.Type.MCP).first()
        if plan is None:
            raise exceptions.ValidationError({"plan": ["No such plan."]}, code="tracking.plan_unknown")
    return data, plan


def account_tracking_disclosure(*, user, rows: list[dict], channel: str) -> None:
    """Account for a tracking-list page or export going to a plan: one Disclosure per member, by
    ``consents.services.disclose_bulk`` (rule ``hipaa.tpo_own_plan``: general data to the member's own
    plan for care coordination — the list selects members by active coverage in the caller's plan).
    County staff pulling the list for their own work disclose nothing."""
    if user.role != User.Role.PLAN_LIAISON or not rows:
        return
    disclose_bulk(rows=[(row["member_id"], row["id"]) for row in rows], recipient=user.organization,
                  purpose=Purpose.CARE_COORDINATION, categories=["general"], disclosed_by=user, channel=channel,
                  description="CCS tracking list (CCS/plan memorandum fields)")


@extend_schema(
    summary="CCS tracking list",
    description="The CCS/plan memorandum's tracking list: every CCS case of a member enrolled in your plan with the "
                "member's name, CCS case number, date of birth, SSN (if known; masked unless your account may see full "
                "identifiers), CCS-eligible diagnoses, date of eligibility and status; for a denial or closure the reason "
                "and the date closed; referral source and primary care provider on file. Cursor-paginated, newest first. "
                "Also as CSV at `/api/tracking-list.csv` with the same filters.",
    parameters=TRACKING_PARAMETERS,
    tags=["CCS tracking list"],
    responses={200: TrackingRowSerializer(many=True),
               400: error_response(400, "A filter is not valid.", "status", "invalid_choice", '"lost" is not a valid choice.')},
    examples=[OpenApiExample("A member on the list", value=TRACKING_EXAMPLE, response_only=True)],
)
class TrackingListView(generics.ListAPIView):
    serializer_class = TrackingRowSerializer
    pagination_class = TrackingCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        filters, plan = _filters(self.request)
        return ccs_tracking_list(user=self.request.user, plan=plan, **filters)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["full_identifiers"] = bool(self.request.user.may_see_full_identifiers)
        context["source_labels"] = _referral_source_labels()
        return context

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        record_access(request, members=[row["member_id"] for row in page], action="list",
                      records=[("cases.case", row["id"]) for row in page], detail={"view": "ccs_tracking_list"})
        account_tracking_disclosure(user=request.user, rows=page, channel="api")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


CSV_HEADER = TRACKING_FIELDS
# Rows per audit/disclosure write: each write is one short transaction, so larger batches keep
# the export near the query's speed while memory stays bounded by the batch, not the list.
EXPORT_BATCH = 5000


# The cells that may hold free text (names, case numbers, codes, reasons, labels) go through
# _csv_cell. The others are dates, the status word and the SSN (digits or masked), which the csv
# module writes as they are: None as an empty cell, a date in its ISO form.
_FREE_TEXT = ("name", "ccs_case_number", "ccs_eligible_diagnoses", "reason_closed", "referral_source",
              "primary_care_provider")
_FREE_TEXT_AT = tuple(CSV_HEADER.index(name) for name in _FREE_TEXT)


def _csv_cell(value) -> str:
    if type(value) is str:
        text = value
    elif value is None:
        return ""
    elif type(value) is list:
        text = " ".join(value)
    else:
        text = str(value)
    return formula_safe(text)


def _csv_values(cells: tuple) -> list:
    """A tracking row's cells (:func:`tracking_cells`) as the CSV writes them (run for every row of an export)."""
    cells = list(cells)
    for at in _FREE_TEXT_AT:
        cells[at] = _csv_cell(cells[at])
    return cells


def tracking_csv_rows(*, request, queryset):
    """Yield CSV text, auditing and accounting each batch of rows as it goes out."""
    full = bool(request.user.may_see_full_identifiers)
    labels, zone = _referral_source_labels(), timezone.get_current_timezone()
    batch: list[tuple] = []

    def csv_text(rows) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue()

    def flush():
        # A row of as_tuples() starts with the case's id, then its member's.
        record_access(request, members=[r[1] for r in batch], action="export",
                      records=[("cases.case", r[0]) for r in batch], detail={"view": "ccs_tracking_list.csv"},
                      part2=False)  # CCS cases only (ccs_tracking_cases): none is Part 2
        account_tracking_disclosure(user=request.user, rows=[{"id": r[0], "member_id": r[1]} for r in batch],
                                    channel="export")
        text = csv_text(_csv_values(tracking_cells(r, full_identifiers=full, source_labels=labels, zone=zone))
                        for r in batch)
        batch.clear()
        return text

    yield csv_text([CSV_HEADER])
    for values in as_tuples(queryset).iterator(chunk_size=EXPORT_BATCH):
        batch.append(values)
        if len(batch) >= EXPORT_BATCH:
            yield flush()
    if batch:
        yield flush()


@extend_schema(
    summary="CCS tracking list as CSV",
    description="The same rows and filters as `/api/tracking-list/`, streamed as one CSV file (header row first).",
    parameters=TRACKING_PARAMETERS,
    tags=["CCS tracking list"],
    responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, examples=[
                   OpenApiExample("The list (first lines)", value=",".join(TRACKING_FIELDS) + "\n"
                                  "Sofia Garcia,06067-2026-000017,2016-03-02,***-**-3000,E84.0,2026-10-14,eligible,,,"
                                  "Health care provider,Oak Park Family Medicine\n")]),
               400: error_response(400, "A filter is not valid.", "plan", "tracking.plan_required", "Name the plan (?plan=<id>).")},
)
class TrackingListCsvView(APIView):
    def get(self, request):
        filters, plan = _filters(request)
        # The whole list is a report read: a configured read replica takes it (README, Scaling out).
        queryset = ccs_tracking_list(user=request.user, plan=plan, **filters).using(reports_db_alias())
        response = StreamingHttpResponse(tracking_csv_rows(request=request, queryset=queryset), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="ccs-tracking-list-{timezone.localdate():%Y-%m-%d}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response
