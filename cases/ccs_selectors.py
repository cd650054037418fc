"""Reads for CCS pages and the plans' tracking list.

The tracking list is what the CCS/plan memorandum (seed 002) says the county shares
with each plan: for every CCS case of a member enrolled in the plan — name, CCS case
number, date of birth, SSN (if known; masked unless the caller is entitled), CCS-eligible
diagnoses, date of eligibility, status; for a denial or closure the reason and the date
closed; referral source and primary care provider on file. It is one ``.values()``
query over the visible cases (no per-row queries), so pages and the streamed CSV stay
flat in memory and in query count.
"""
from __future__ import annotations

import datetime
import operator

from django.db.models import CharField, Exists, F, Func, OuterRef, QuerySet
from django.utils import timezone

from carecoord.accounts.models import Organization, User

from .ccs_models import CarePlan, EligibilityDetermination, ServiceAuthorization
from .models import Case, Program
from .selectors import active_plan_coverage, case_list_visible_to, may_write_case_records
from .validators import mask_ssn

# Exactly the memorandum's fields, in its order.
TRACKING_FIELDS = (
    "name", "ccs_case_number", "date_of_birth", "ssn", "ccs_eligible_diagnoses", "date_of_eligibility", "status",
    "reason_closed", "date_closed", "referral_source", "primary_care_provider",
)
TRACKING_STATUSES = ("pending", "eligible", "denied", "closed")

_VALUES = (
    "id", "member_id", "member__first_name", "member__middle_name", "member__last_name", "member__date_of_birth",
    "member__ssn", "case_number", "diagnosis_codes", "eligibility_date", "status", "closed_reason", "closed_at",
    "referral_source", "pcp_name", "denied",
)


class SpaceJoinedCodes(Func):
    """A JSON list of codes as one space-separated string, joined by the database. Decoding a JSON
    value per row in Python was a tenth of the tracking-list export's time; ICD-10 codes hold no
    spaces (``validate_icd10_list``), so the string splits back into the list."""

    output_field = CharField()
    template = ("(SELECT string_agg(code, ' ' ORDER BY n) "
                "FROM jsonb_array_elements_text(%(expressions)s) WITH ORDINALITY AS codes(code, n))")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(SELECT group_concat(value, ' ') FROM json_each(%(expressions)s))",
                           **extra)


def _referral_source_labels() -> dict[str, str]:
    from referrals.models import Referral

    return {value: str(label) for value, label in Referral.Source.choices}


def ccs_tracking_cases(*, user, plan: Organization | None = None) -> QuerySet[Case]:
    """CCS cases of members enrolled today in ``plan`` (a liaison's own plan), visible to ``user``."""
    if getattr(user, "role", None) == User.Role.PLAN_LIAISON:
        plan_id = user.organization_id
    elif plan is not None:
        plan_id = plan.pk
    else:
        return Case.objects.none()
    return case_list_visible_to(user=user).filter(program=Program.CCS).filter(
        active_plan_coverage(plan_id=plan_id, member_ref="member_id"))


def ccs_tracking_list(*, user, plan: Organization | None = None, status: str | None = None,
                      eligible_from: datetime.date | None = None, eligible_to: datetime.date | None = None,
                      changed_since: datetime.datetime | None = None) -> QuerySet:
    """The tracking list rows as ``.values()`` dicts, newest case first; format each with :func:`tracking_row`."""
    qs = ccs_tracking_cases(user=user, plan=plan).annotate(
        pcp_name=F("member__primary_care_provider__name"),
        diagnosis_codes=SpaceJoinedCodes("diagnoses"),
        denied=Exists(EligibilityDetermination.objects.filter(
            case=OuterRef("pk"), outcome=EligibilityDetermination.Outcome.NOT_ELIGIBLE)),
    )
    if status == "pending":
        qs = qs.filter(status=Case.Status.REFERRED)
    elif status == "eligible":
        qs = qs.filter(status=Case.Status.OPEN)
    elif status == "denied":
        qs = qs.filter(status=Case.Status.CLOSED, denied=True)
    elif status == "closed":
        qs = qs.filter(status=Case.Status.CLOSED, denied=False)
    if eligible_from:
        qs = qs.filter(eligibility_date__gte=eligible_from)
    if eligible_to:
        qs = qs.filter(eligibility_date__lte=eligible_to)
    if changed_since:
        qs = qs.filter(last_activity_at__gte=changed_since)
    return qs.order_by("-id").values(*_VALUES)


def as_tuples(rows: QuerySet) -> QuerySet:
    """:func:`ccs_tracking_list`'s rows as tuples, which :func:`tracking_cells` reads: the case's id first,
    then its member's."""
    return rows.values_list(*_VALUES)


def tracking_cells(values: tuple, *, full_identifiers: bool, source_labels: dict[str, str],
                   zone: datetime.tzinfo) -> tuple:
    """One row's :data:`TRACKING_FIELDS`, in their order, from a row of :data:`_VALUES` as a tuple. SSN masked
    unless ``full_identifiers``; the date closed is the day in ``zone`` (the request's time zone). The export
    runs this for every row of a county (tens of thousands): built from the tuple straight away, where a dict of
    the values and a dict of the fields cost a third of its time, with the time zone looked up once for them
    all (looked up for each closed case, it was half of this function's time)."""
    (_case_id, _member_id, first_name, middle_name, last_name, date_of_birth, ssn, case_number, codes,
     eligibility_date, status, closed_reason, closed_at, referral_source, pcp_name, denied) = values
    closed = status == Case.Status.CLOSED
    if status == Case.Status.REFERRED:
        word = "pending"
    elif status == Case.Status.OPEN:
        word = "eligible"
    else:
        word = "denied" if denied else "closed"
    return (
        " ".join(part for part in (first_name, middle_name, last_name) if part),
        case_number or None,
        date_of_birth,
        (ssn if full_identifiers else mask_ssn(ssn)) or None,
        codes.split() if codes else [],
        eligibility_date,
        word,
        closed_reason if closed else None,
        closed_at.astimezone(zone).date() if closed and closed_at else None,
        source_labels.get(referral_source, referral_source) or None,
        pcp_name,
    )


_AS_TUPLE = operator.itemgetter(*_VALUES)


def tracking_row(values: dict, *, full_identifiers: bool, source_labels: dict[str, str] | None = None) -> dict:
    """One row with exactly :data:`TRACKING_FIELDS`, from a row of :func:`ccs_tracking_list`."""
    source_labels = source_labels if source_labels is not None else _referral_source_labels()
    return dict(zip(TRACKING_FIELDS, tracking_cells(_AS_TUPLE(values), full_identifiers=full_identifiers,
                                                     source_labels=source_labels, zone=timezone.get_current_timezone())))


# ----------------------------------------------------------------------------- case page sections


def ccs_case_section(*, case: Case, user) -> dict:
    """What the eligibility and authorization tabs show (the case is already visible to ``user``)."""
    from carecoord.clocks.models import Deadline

    return {
        "determinations": list(case.eligibility_determinations.select_related("decided_by")),
        "authorizations": list(case.authorizations.select_related("provider", "decided_by")),
        "medical_clock": Deadline.objects.filter(case=case, rule_code="ccs.medical_eligibility").order_by("-started_at").first(),
        "annual_clock": Deadline.objects.filter(case=case, rule_code="ccs.annual_medical_review",
                                                status__in=Deadline.ACTIVE_STATUSES).order_by("due_at").first(),
        "may_decide_medical": user.role == User.Role.MEDICAL_CONSULTANT,
        "may_write": may_write_case_records(user=user, case=case),
    }


def care_plan_section(*, case: Case, user) -> dict:
    plan = (CarePlan.objects.filter(case=case, status=CarePlan.Status.ACTIVE)
            .prefetch_related("goals__interventions__owner", "goals__interventions__owner_organization").first())
    return {
        "care_plan": plan,
        "reviews": list(case.care_plan_reviews.select_related("reviewed_by")[:10]),
        "conferences": list(case.conferences.prefetch_related("staff_participants", "tasks")[:10]),
        "may_write": may_write_case_records(user=user, case=case),
    }


def pending_authorizations(*, user) -> QuerySet[ServiceAuthorization]:
    return (ServiceAuthorization.objects.filter(case__in=case_list_visible_to(user=user),
                                                decision=ServiceAuthorization.Decision.PENDING)
            .select_related("case__member", "provider"))
