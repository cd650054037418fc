"""API of the deadline engine: the work queue, compliance figures and the rule catalog.

- ``GET /api/work-queue/``: the caller's open deadlines (a supervisor's team's too),
  due first, with bucket, member, rule in plain words and time left. Cursor-paginated.
- ``GET /api/compliance/?start=&end=&group_by=rule,month``: on-time rate, met late,
  missed and median time to meet, limited to what the caller may see.
- ``GET /api/clock-rules/``: every rule of the catalog with its source (any signed-in caller).
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cached_property

from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoord.api.schema import AUTH_ERRORS, LIST_ERRORS
from carecoord.api.serializers import Serializer, representation
from carecoord.api.views import record_access
from carecoord.audit.access import shows_part2
from carecoord.errors import RuleViolation

from .catalog import all_rules
from .selectors import BUCKETS, GROUPS, compliance_figures, deadline_queue_for, queue_row, queue_values


class QueuePagination(CursorPagination):
    ordering = ("due_at", "pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class WorkQueueRowSerializer(Serializer):
    id = serializers.IntegerField(help_text="The deadline's id.")
    bucket = serializers.ChoiceField(choices=BUCKETS, help_text="overdue, today, week (next seven days) or later.")
    due_at = serializers.DateTimeField(help_text="When the clock runs out (Pacific time in the response).")
    time_left = serializers.CharField(help_text='In words: "3 days left", "overdue by 5 hours".')
    status = serializers.CharField(help_text="open or missed (missed ones stay until met).")
    paused = serializers.BooleanField(help_text="The clock is paused (e.g. waiting on the family).")
    escalated = serializers.BooleanField(help_text="A supervisor was told it was missed.")
    rule_code = serializers.CharField()
    rule = serializers.CharField(help_text="The rule in plain words.")
    rule_title = serializers.CharField()
    source = serializers.CharField(help_text="Where the time limit comes from.")
    program = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    member_id = serializers.IntegerField(allow_null=True)
    member_name = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField()

    def to_representation(self, values):
        # queue_row already holds JSON types but the due time: passing each row through the 17
        # fields again cost more than the page's query.
        row = queue_row(values, now=self.context.get("now"), language=self.context.get("language"))
        row["due_at"] = self._write_due_at(row["due_at"])
        return row

    @cached_property
    def _write_due_at(self) -> Callable:
        # That one field built, not all 17 (a twentieth of the call); its time zone looked up once a page.
        return representation(self._bound_field("due_at"))


QUEUE_EXAMPLE = OpenApiExample("An ECM assessment due in three days", response_only=True, value={
    "next": None, "previous": None, "results": [{
        "id": 812, "bucket": "week", "due_at": "2026-12-04T23:59:59.999999-08:00", "time_left": "3 days left",
        "status": "open", "paused": False, "escalated": False, "rule_code": "ecm.assessment",
        "rule": "ECM assessment: within 30 days of ECM enrollment", "rule_title": "ECM assessment",
        "source": "Seed 004 (ECM guide)", "program": "ecm", "case_id": 41, "member_id": 37,
        "member_name": "Ana Reyes", "owner_id": 5, "owner_name": "Nora Kim"}]})


@extend_schema(
    summary="My work queue",
    description="Open and missed deadlines you must act on, due first: your own; a supervisor also sees their "
                "team's, the ones escalated to them and their organization's unowned ones. Filter with `program`, "
                "`team` or `bucket`.",
    parameters=[
        OpenApiParameter("program", OpenApiTypes.STR, enum=["ccs", "ecm", "dmc_ods"], description="Only this program's cases."),
        OpenApiParameter("team", OpenApiTypes.INT, description="Only this team's deadlines."),
        OpenApiParameter("bucket", OpenApiTypes.STR, enum=list(BUCKETS), description="Only this bucket."),
    ],
    responses={200: WorkQueueRowSerializer(many=True), **LIST_ERRORS}, examples=[QUEUE_EXAMPLE], tags=["clocks"],
)
class WorkQueueView(generics.ListAPIView):
    serializer_class = WorkQueueRowSerializer
    pagination_class = QueuePagination
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        team = params.get("team")
        if team is not None and not team.isdigit():
            raise RuleViolation("team must be a team id.", field="team", rule="work_queue.team")
        qs = deadline_queue_for(user=self.request.user, program=params.get("program") or None,
                                team_id=int(team) if team else None)
        bucket = params.get("bucket")
        if bucket:
            qs = _filter_bucket(qs, bucket)
        return queue_values(qs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now(), "language": get_language()}

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", [])
        members = {row["member_id"] for row in rows if row["member_id"]}
        if members:
            record_access(request, members=members, action="list", records=[("clocks.deadline", row["id"]) for row in rows],
                          part2=shows_part2(row["program"] for row in rows))
        return response


def _filter_bucket(qs, bucket: str):
    from . import calendar as workdays

    if bucket not in BUCKETS:
        raise RuleViolation(f"bucket must be one of {', '.join(BUCKETS)}.", field="bucket", rule="work_queue.bucket")
    now = timezone.now()
    today = now.astimezone(workdays.PACIFIC).date()
    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, tzinfo=workdays.PACIFIC)
    week_end = tomorrow + datetime.timedelta(days=7)
    return {
        "overdue": qs.filter(due_at__lt=now),
        "today": qs.filter(due_at__gte=now, due_at__lt=tomorrow),
        "week": qs.filter(due_at__gte=tomorrow, due_at__lt=week_end),
        "later": qs.filter(due_at__gte=week_end),
    }[bucket]


class ComplianceRowSerializer(Serializer):
    rule_code = serializers.CharField(required=False)
    rule_title = serializers.CharField(required=False)
    organization_id = serializers.IntegerField(required=False, allow_null=True)
    organization__name = serializers.CharField(required=False, allow_null=True)
    owner_id = serializers.IntegerField(required=False, allow_null=True)
    owner__username = serializers.CharField(required=False, allow_null=True)
    month = serializers.DateField(required=False, help_text="First day of the month (Pacific).")
    due = serializers.IntegerField(help_text="Deadlines counted: met on time + met late + missed.")
    met_on_time = serializers.IntegerField()
    met_late = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField(help_text="Due in the period but still open (not counted in the rate).")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="met_on_time ÷ due, 0 to 1.")
    median_hours_to_meet = serializers.FloatField(allow_null=True, help_text="Median hours from start to met.")

    def to_representation(self, row):
        # Only the keys of the requested grouping appear in a row.
        return {key: value for key, value in super().to_representation(row).items() if key in row}


def _date_param(request, name: str, default: datetime.date) -> datetime.date:
    value = request.query_params.get(name)
    if not value:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise RuleViolation(f"{name} must be a date like 2026-01-31.", field=name, rule="compliance.date") from None


class ComplianceView(APIView):
    @extend_schema(
        summary="Compliance figures",
        description="For deadlines due between `start` and `end` (inclusive; default: the last 90 days): on-time "
                    "rate, met late, missed and median hours to meet, grouped by any of rule, organization, owner, "
                    "month. A supervisor sees their organization; a case manager their own and their cases'. "
                    "Windows and cancelled clocks are not counted.",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("group_by", OpenApiTypes.STR, description="Comma-separated: rule, organization, owner, month."),
        ],
        responses={200: ComplianceRowSerializer(many=True), **LIST_ERRORS}, tags=["clocks"],
        examples=[OpenApiExample("By rule", response_only=True, value=[{
            "rule_code": "ccs.medical_eligibility", "rule_title": "CCS medical eligibility determination", "due": 40,
            "met_on_time": 36, "met_late": 3, "missed": 1, "open": 4, "on_time_rate": 0.9, "median_hours_to_meet": 61.5}])],
    )
    def get(self, request):
        today = timezone.localdate()
        end = _date_param(request, "end", today)
        start = _date_param(request, "start", end - datetime.timedelta(days=90))
        if start > end:
            raise RuleViolation("start must not be after end.", field="start", rule="compliance.range")
        group_by = [name.strip() for name in request.query_params.get("group_by", "rule").split(",") if name.strip()]
        unknown = [name for name in group_by if name not in GROUPS]
        if unknown or not group_by:
            raise RuleViolation(f"group_by takes {', '.join(GROUPS)}.", field="group_by", rule="compliance.group_by")
        rows = compliance_figures(user=request.user, start=start, end=end, group_by=group_by)
        return Response(ComplianceRowSerializer(rows, many=True).data)


class ClockRuleSerializer(Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    program = serializers.CharField()
    title = serializers.CharField()
    plain = serializers.CharField(help_text="The rule in plain words.")
    starts_on = serializers.CharField(help_text="The event that starts the clock (or the target date it counts back from).")
    duration = serializers.IntegerField()
    unit = serializers.CharField(help_text="hours, calendar_days, working_days or months.")
    direction = serializers.CharField(help_text="after the start, or before a target date.")
    kind = serializers.CharField(help_text="task (can be missed) or window (simply ends).")
    met_by = serializers.CharField()
    warn_before_hours = serializers.IntegerField()
    owner = serializers.CharField()
    escalate_to = serializers.CharField()
    pausable = serializers.BooleanField()
    source = serializers.CharField()
    seed = serializers.BooleanField(help_text="The figure comes from the program's own source documents.")


CLOCK_RULE_EXAMPLE = {
    "code": "ccs.medical_eligibility", "version": 1, "program": "ccs", "title": "CCS medical eligibility determination",
    "plain": "CCS medical eligibility determination: within 5 working days of adequate medical documentation received",
    "starts_on": "adequate medical documentation received", "duration": 5, "unit": "working_days", "direction": "after",
    "kind": "task", "met_by": "medical eligibility decided", "warn_before_hours": 48, "owner": "medical_consultant",
    "escalate_to": "supervisor", "pausable": True, "source": "Seed 002: CMS plan/MOU delineation of responsibilities",
    "seed": True,
}


class ClockRuleListView(APIView):
    @extend_schema(summary="The clock rule catalog", tags=["clocks"],
                   description="Every time limit carecoord enforces, with its source. Not paginated (a few dozen).",
                   responses={200: ClockRuleSerializer(many=True), **AUTH_ERRORS},
                   examples=[OpenApiExample("The CCS eligibility clock", value=[CLOCK_RULE_EXAMPLE], response_only=True)])
    def get(self, request):
        return Response(ClockRuleSerializer(all_rules(), many=True).data)
