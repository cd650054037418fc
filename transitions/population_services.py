"""Services of Whole Child Model population transitions (seed 000).

The workflow: :func:`population_transition_create` names the county, plans and date (and writes the
readiness checklist); :func:`affected_cases` is what the preview shows; :func:`population_transition_confirm`
snapshots the children and starts the clocks — identification data 30 days and utilization/SAR data 45 days
before the date (one per receiving plan, ``occurrence="plan:<id>"``), family notices 90, 60 and 30 days before.

Per-child work (family notices of a wave, continuity-of-care agreements, the welcome call list) runs as a
:class:`~transitions.population.BulkJob` (:func:`bulk_job_start`, then :func:`bulk_job_run` in Celery). Each
child's work is idempotent by a unique key (one ``FamilyNotice`` per child and wave, one agreement per child
and provider, one call per child), and the job's cursor moves in the same transaction as the batch it
covers, so a rerun after a killed worker continues and never sends a family the same notice twice.

Hand-over files: :func:`handover_file_produce` builds the CSV a plan downloads, accounts for the disclosure
(``consents.services.disclose_bulk``), records the :class:`~transitions.population.DataDelivery` and meets the
plan's clock, all in one transaction.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.accounts.models import Organization, User
from carecoord.errors import RuleViolation
from carecoord.spreadsheets import csv_writer
from cases.models import CareTeamMember, Case, Coverage, Program, ServiceAuthorization, TimelineEntry

from .population import (
    BulkJob, ContinuityOfCareAgreement, DataDelivery, FamilyNotice, FaqShare, NoticeWave, PopulationTransition,
    PopulationTransitionMember, ReadinessItem, WelcomeCall,
)

log = logging.getLogger(__name__)

NOTICE_RULES = {NoticeWave.DAYS_90: "wcm.family_notice_90", NoticeWave.DAYS_60: "wcm.family_notice_60",
                NoticeWave.DAYS_30: "wcm.family_notice_30"}
FILE_RULES = DataDelivery.RULE_FOR_KIND
COC_RULE = "mcp.continuity_of_care_window"
COC_MONTHS = 12

# The readiness checklist every transition starts with: (kind, days before the transition date it is due).
READINESS_TEMPLATE: tuple[tuple[str, int], ...] = (
    (ReadinessItem.Kind.MOU_SIGNED, 120),
    (ReadinessItem.Kind.POLICIES_REVIEWED, 90),
    (ReadinessItem.Kind.STAFFING_TRAINING, 45),
    (ReadinessItem.Kind.REGULAR_MEETINGS, 60),
    (ReadinessItem.Kind.DEFICIENCIES_CORRECTED, 14),
)
# Organizations a child keeps seeing under continuity of care (not plans, programs or agencies).
PROVIDER_TYPES = frozenset({
    "ccs_physician", "special_care_center", "hospital", "pharmacy", "dme_vendor", "dental", "medical_home",
    "mental_health", "medical_therapy_unit", "other_provider",
})


def plan_occurrence(plan_id: int) -> str:
    return f"plan:{plan_id}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --------------------------------------------------------------------------- selection


def affected_cases(*, county, plan_ids: Iterable[int], on: datetime.date | None = None) -> QuerySet[Case]:
    """CCS cases (referred or open) of members living in ``county`` with active coverage in one of the plans,
    annotated with ``receiving_plan_id``."""
    on = on or timezone.localdate()
    plan_ids = list(plan_ids)
    coverage = (Coverage.objects.filter(member=OuterRef("member_id"), plan_id__in=plan_ids, start_date__lte=on)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=on)))
    return (Case.objects.filter(program=Program.CCS, member__county=county)
            .exclude(status=Case.Status.CLOSED)
            .filter(Exists(coverage))
            .annotate(receiving_plan_id=Subquery(coverage.order_by("-start_date").values("plan_id")[:1]))
            .order_by("member__last_name", "member__first_name", "pk"))


# --------------------------------------------------------------------------- create, confirm, ready


def _require_manager(transition_or_program, user) -> None:
    from .population_selectors import may_manage

    if not may_manage(user=user, county_program=transition_or_program):
        raise RuleViolation(_("Only the county CCS program's supervisors and administrators manage its population transitions."),
                            field="__all__", rule="wcm.not_allowed")


def population_transition_create(*, name: str, county, county_program: Organization, plans: Iterable[Organization],
                                 transition_date: datetime.date, created_by: User) -> PopulationTransition:
    """A draft transition with its readiness checklist. Nothing is selected or started until it is confirmed."""
    plans = list(plans)
    if not (name or "").strip():
        raise RuleViolation(_("Name the transition."), field="name", rule="wcm.name_required")
    if county_program is None or county_program.type != Organization.Type.CCS_COUNTY:
        raise RuleViolation(_("Choose the county CCS program that hands the children over."), field="county_program",
                            rule="wcm.county_program")
    if county_program.county_id and county_program.county_id != county.pk:
        raise RuleViolation(_("The CCS program belongs to another county."), field="county_program", rule="wcm.county_program")
    if not plans or any(plan.type != Organization.Type.MCP for plan in plans):
        raise RuleViolation(_("Choose at least one receiving health plan."), field="plans", rule="wcm.plans_required")
    if transition_date is None or transition_date <= timezone.localdate():
        raise RuleViolation(_("The transition date must be in the future."), field="transition_date", rule="wcm.date_future")
    _require_manager(county_program, created_by)
    with transaction.atomic():
        transition = PopulationTransition.objects.create(name=name.strip()[:200], county=county, county_program=county_program,
                                                         transition_date=transition_date, created_by=created_by)
        transition.plans.set(plans)
        owner = created_by if created_by.role == User.Role.SUPERVISOR else None
        ReadinessItem.objects.bulk_create([
            ReadinessItem(transition=transition, kind=kind, title=str(ReadinessItem.Kind(kind).label), owner=owner,
                          due_date=transition_date - datetime.timedelta(days=days))
            for kind, days in READINESS_TEMPLATE
        ])
    return transition


def population_transition_confirm(*, transition: PopulationTransition, by: User) -> PopulationTransition:
    """Snapshot the affected children and start the hand-over and notice clocks. Once only."""
    from carecoord.clocks.services import deadline_start

    _require_manager(transition.county_program, by)
    with transaction.atomic():
        transition = PopulationTransition.objects.select_for_update().get(pk=transition.pk)
        if transition.status != PopulationTransition.Status.DRAFT:
            raise RuleViolation(_("The members of this transition are already confirmed."), field="__all__", rule="wcm.already_confirmed")
        if transition.transition_date <= timezone.localdate():
            raise RuleViolation(_("The transition date must be in the future."), field="transition_date", rule="wcm.date_future")
        plan_ids = list(transition.plans.values_list("pk", flat=True))
        now = timezone.now()
        rows = [
            PopulationTransitionMember(transition=transition, case_id=c["pk"], member_id=c["member_id"], plan_id=c["receiving_plan_id"],
                                       language=c["member__preferred_language"], selected_at=now,
                                       address_valid=bool(c["member__address_valid"] and (c["member__address_line1"] or "").strip()))
            for c in affected_cases(county=transition.county, plan_ids=plan_ids)
            .values("pk", "member_id", "receiving_plan_id", "member__preferred_language", "member__address_valid", "member__address_line1")
        ]
        if not rows:
            raise RuleViolation(_("No CCS child in this county is enrolled in the chosen plans."), field="plans", rule="wcm.no_members")
        PopulationTransitionMember.objects.bulk_create(rows, batch_size=1000)
        summary = _("Included in the Whole Child Model transition “%(name)s” on %(date)s") % {
            "name": transition.name, "date": transition.transition_date.isoformat()}
        TimelineEntry.objects.bulk_create([
            TimelineEntry(case_id=row.case_id, kind="wcm.selected", summary=summary[:500], actor=by, at=now,
                          data={"population_transition": transition.pk}) for row in rows
        ], batch_size=1000)
        transition.status, transition.confirmed_at, transition.confirmed_by = PopulationTransition.Status.CONFIRMED, now, by
        transition.member_count = len(rows)
        transition.save(update_fields=["status", "confirmed_at", "confirmed_by", "member_count"])
        for plan_id in plan_ids:
            for rule_code in FILE_RULES.values():
                deadline_start(rule_code=rule_code, subject=transition, started_at=now, target=transition.transition_date,
                               organization=transition.county_program, occurrence=plan_occurrence(plan_id))
        for rule_code in NOTICE_RULES.values():
            deadline_start(rule_code=rule_code, subject=transition, started_at=now, target=transition.transition_date,
                           organization=transition.county_program)
    return transition


def readiness_item_complete(*, item: ReadinessItem, by: User, note: str = "") -> ReadinessItem:
    with transaction.atomic():
        item = ReadinessItem.objects.select_for_update().select_related("transition").get(pk=item.pk)
        _require_manager(item.transition.county_program, by)
        if item.status == ReadinessItem.Status.DONE:
            return item
        item.status, item.done_at, item.done_by = ReadinessItem.Status.DONE, timezone.now(), by
        if note.strip():
            item.note = f"{item.note}\n{note.strip()}".strip()
        item.save(update_fields=["status", "done_at", "done_by", "note"])
    return item


def readiness_item_add(*, transition: PopulationTransition, title: str, due_date: datetime.date, by: User,
                       kind: str = ReadinessItem.Kind.OTHER, owner: User | None = None, plan=None) -> ReadinessItem:
    _require_manager(transition.county_program, by)
    if not (title or "").strip():
        raise RuleViolation(_("Say what must be done."), field="title", rule="wcm.readiness_title")
    if due_date is None:
        raise RuleViolation(_("Give a due date."), field="due_date", rule="wcm.readiness_due")
    if kind == ReadinessItem.Kind.DEFICIENCIES_CORRECTED and due_date >= transition.transition_date:
        raise RuleViolation(_("Deficiencies must be corrected before the transition date."), field="due_date",
                            rule="wcm.deficiency_before_date")
    if kind not in ReadinessItem.Kind.values:
        raise RuleViolation(_("Choose the kind of item."), field="kind", rule="wcm.readiness_kind")
    return ReadinessItem.objects.create(transition=transition, kind=kind, title=title.strip()[:200], due_date=due_date,
                                        owner=owner, plan=plan)


def population_transition_mark_ready(*, transition: PopulationTransition, by: User) -> PopulationTransition:
    """The plan is ready. Refused while any checklist item is open."""
    _require_manager(transition.county_program, by)
    with transaction.atomic():
        transition = PopulationTransition.objects.select_for_update().get(pk=transition.pk)
        if transition.status != PopulationTransition.Status.CONFIRMED:
            raise RuleViolation(_("Only a confirmed transition can be marked ready."), field="__all__", rule="wcm.ready_state")
        open_items = list(transition.readiness_items.filter(status=ReadinessItem.Status.OPEN).values_list("title", flat=True))
        if open_items:
            raise RuleViolation(
                _("The plan cannot be marked ready while %(n)s readiness item(s) are open: %(items)s.") % {
                    "n": len(open_items), "items": "; ".join(open_items)},
                field="readiness", rule="wcm.readiness_open_items")
        transition.status, transition.ready_at, transition.ready_by = PopulationTransition.Status.READY, timezone.now(), by
        transition.save(update_fields=["status", "ready_at", "ready_by"])
    return transition


# --------------------------------------------------------------------------- hand-over files

IDENTIFICATION_HEADER = ["cin", "last_name", "first_name", "date_of_birth", "sex", "ccs_case_number", "case_status",
                         "eligibility_date", "diagnoses", "county", "preferred_language", "address", "city", "zip_code",
                         "phone", "address_valid", "primary_care_provider", "ccs_case_manager"]
UTILIZATION_HEADER = ["cin", "ccs_case_number", "service", "service_code", "diagnosis", "provider", "provider_npi", "quantity",
                      "start_date", "end_date", "expedited", "decision", "decided_at", "approved_terms"]
FILE_DESCRIPTIONS = {"identification": "CCS identification data (Whole Child Model hand-over)",
                     "utilization_sar": "CCS utilization and service authorization data (Whole Child Model hand-over)"}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _identification_rows(cases: list[Case]) -> list[list[str]]:
    return [[_cell(v) for v in (
        c.member.cin, c.member.last_name, c.member.first_name, c.member.date_of_birth, c.member.sex, c.case_number,
        c.get_status_display(), c.eligibility_date, c.diagnoses, c.member.county.name, c.member.preferred_language,
        " ".join(p for p in (c.member.address_line1, c.member.address_line2) if p), c.member.city, c.member.zip_code,
        c.member.phone, c.member.address_valid, c.member.primary_care_provider, c.primary_case_manager)]
        for c in cases]


def _utilization_rows(cases: list[Case]) -> list[list[str]]:
    by_case = {c.pk: c for c in cases}
    sars = (ServiceAuthorization.objects.filter(case_id__in=by_case).select_related("provider")
            .order_by("case_id", "start_date", "pk"))
    return [[_cell(v) for v in (
        by_case[s.case_id].member.cin, by_case[s.case_id].case_number, s.service, s.service_code, s.diagnosis, s.provider.name,
        s.provider.npi, s.quantity, s.start_date, s.end_date, s.expedited, s.get_decision_display(), s.decided_at, s.approved_terms)]
        for s in sars]


def handover_file_produce(*, transition: PopulationTransition, kind: str, plan: Organization, user: User,
                          deliver: bool) -> tuple[str, bytes, DataDelivery | None]:
    """The CSV hand-over file of ``kind`` for ``plan``: that plan's children in the transition.

    ``deliver`` (the plan itself downloading): only children whose data may still go to the plan — active
    coverage with it, checked by ``consents.services.disclose_bulk`` (general data, care coordination, the
    member's own plan) — are included; each is written to the accounting of disclosures, the delivery is
    recorded and the plan's clock for this file is met, all in one transaction. Otherwise (county staff
    checking the file) nothing is disclosed or recorded.
    """
    from carecoord.clocks.services import deadline_meet
    from consents.models import Purpose
    from consents.services import disclose_bulk

    if kind not in DataDelivery.Kind.values:
        raise RuleViolation(_("Unknown hand-over file."), field="kind", rule="wcm.file_kind")
    if transition.status not in (PopulationTransition.Status.CONFIRMED, PopulationTransition.Status.READY,
                                 PopulationTransition.Status.COMPLETED):
        raise RuleViolation(_("The members of this transition are not confirmed yet."), field="__all__", rule="wcm.not_confirmed")
    if not transition.plans.filter(pk=plan.pk).exists():
        raise RuleViolation(_("This plan does not receive children in this transition."), field="plan", rule="wcm.plan_not_receiving")
    case_ids = PopulationTransitionMember.objects.filter(transition=transition, plan=plan).values("case_id")
    cases_qs = Case.objects.filter(pk__in=case_ids)
    if deliver:
        today = timezone.localdate()
        cases_qs = cases_qs.filter(Exists(Coverage.objects.filter(member=OuterRef("member_id"), plan=plan, start_date__lte=today)
                                          .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))))
    cases = list(cases_qs.select_related("member", "member__county", "member__primary_care_provider", "primary_case_manager")
                 .order_by("member__last_name", "member__first_name", "pk"))
    header, rows = ((IDENTIFICATION_HEADER, _identification_rows(cases)) if kind == DataDelivery.Kind.IDENTIFICATION
                    else (UTILIZATION_HEADER, _utilization_rows(cases)))
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    content = buffer.getvalue().encode("utf-8")
    filename = f"wcm-{transition.pk}-{kind}-{plan.pk}-{timezone.localdate():%Y%m%d}.csv"
    if not deliver:
        return filename, content, None
    total = PopulationTransitionMember.objects.filter(transition=transition, plan=plan).count()
    now = timezone.now()
    with transaction.atomic():
        if cases:
            disclose_bulk(rows=[(c.member_id, c.pk) for c in cases], recipient=plan, purpose=Purpose.CARE_COORDINATION,
                          categories=["general"], description=FILE_DESCRIPTIONS[kind], disclosed_by=user, channel="api")
        delivery = DataDelivery.objects.create(transition=transition, kind=kind, plan=plan, delivered_at=now, delivered_to=user,
                                               rows=len(rows), children=len(cases), withheld=total - len(cases),
                                               sha256=hashlib.sha256(content).hexdigest())
        deadline_meet(rule_code=FILE_RULES[kind], subject=transition, met_at=now, by=user, occurrence=plan_occurrence(plan.pk))
    return filename, content, delivery


# --------------------------------------------------------------------------- per-child work (bulk job steps)


def _family_notice(*, tm: PopulationTransitionMember, job: BulkJob, transition: PopulationTransition, plan_names: dict) -> bool:
    """Create and queue this family's notice of the job's wave unless it exists. True when something was written."""
    from notices.models import Channel, NoticeKind, RecipientKind
    from notices.services import notice_create, notice_send

    if FamilyNotice.objects.filter(transition_member=tm, wave=job.wave).exists():
        return False
    member = tm.member
    if not tm.address_valid or not member.address_valid or not member.address_line1.strip():
        FamilyNotice.objects.create(transition_member=tm, wave=job.wave,
                                    follow_up_reason=_("No valid mailing address: reach the family another way."))
        return True
    try:
        with transaction.atomic():
            notice = notice_create(
                kind=getattr(NoticeKind, f"WCM_TRANSITION_{job.wave}"), member=member, case=tm.case,
                recipient_kind=RecipientKind.FAMILY, channel=Channel.MAIL, action_date=transition.transition_date,
                language=tm.language, created_by=job.requested_by, occurrence=f"wcm:{transition.pk}:{job.wave}",
                context={"plan_name": plan_names[tm.plan_id], "transition_name": transition.name, "wave": job.wave},
            )
            notice_send(notice=notice, by=job.requested_by, kick=False)
            # The unique (child, wave) key: should another runner have got here first, this insert fails and
            # the savepoint (the notice with it) rolls back.
            FamilyNotice.objects.create(transition_member=tm, wave=job.wave, notice=notice)
    except RuleViolation as exc:  # e.g. the letter cannot be produced: a person reaches the family
        FamilyNotice.objects.create(transition_member=tm, wave=job.wave, follow_up_reason=str(exc.message)[:200])
    return True


def _existing_providers(tm: PopulationTransitionMember) -> list[tuple[int, str]]:
    """The child's existing providers: authorized services, care team organizations, the primary care provider."""
    since = tm.transition.transition_date - datetime.timedelta(days=365)
    found: dict[int, str] = {}
    sars = (ServiceAuthorization.objects.filter(case=tm.case, decision__in=["approved", "modified"], end_date__gte=since)
            .values_list("provider_id", "provider__type"))
    for org_id, org_type in sars:
        if org_type in PROVIDER_TYPES:
            found.setdefault(org_id, ContinuityOfCareAgreement.Source.SAR)
    team = (CareTeamMember.objects.filter(case=tm.case, end_date__isnull=True, organization__isnull=False)
            .values_list("organization_id", "organization__type"))
    for org_id, org_type in team:
        if org_type in PROVIDER_TYPES:
            found.setdefault(org_id, ContinuityOfCareAgreement.Source.CARE_TEAM)
    pcp = tm.member.primary_care_provider
    if pcp is not None and pcp.type in PROVIDER_TYPES:
        found.setdefault(pcp.pk, ContinuityOfCareAgreement.Source.PCP)
    return sorted(found.items())


def _continuity(*, tm: PopulationTransitionMember, job: BulkJob, transition: PopulationTransition, plan_names: dict) -> bool:
    from carecoord.clocks.services import deadline_start

    existing = set(ContinuityOfCareAgreement.objects.filter(transition_member=tm).values_list("provider_id", flat=True))
    wrote = False
    starts, ends = transition.transition_date, add_months(transition.transition_date, COC_MONTHS)
    for provider_id, source in _existing_providers(tm):
        if provider_id in existing:
            continue
        agreement = ContinuityOfCareAgreement.objects.create(transition_member=tm, provider_id=provider_id, plan_id=tm.plan_id,
                                                             source=source, starts_on=starts, ends_on=ends)
        deadline_start(rule_code=COC_RULE, subject=agreement, started_at=_start_of_day(starts), case=tm.case, member=tm.member,
                       organization=tm.plan)
        wrote = True
    return wrote


def _call_list(*, tm: PopulationTransitionMember, job: BulkJob, transition: PopulationTransition, plan_names: dict) -> bool:
    if WelcomeCall.objects.filter(transition_member=tm).exists():
        return False
    WelcomeCall.objects.create(transition_member=tm, plan_id=tm.plan_id, phone=tm.member.phone)
    return True


STEPS = {BulkJob.Kind.NOTICES: _family_notice, BulkJob.Kind.CONTINUITY: _continuity, BulkJob.Kind.CALL_LIST: _call_list}


# --------------------------------------------------------------------------- bulk jobs


def bulk_job_start(*, transition: PopulationTransition, kind: str, wave: str = "", by: User) -> BulkJob:
    """Queue a bulk job over the transition's children (or return the one already live) and hand it to Celery."""
    _require_manager(transition.county_program, by)
    if kind not in BulkJob.Kind.values:
        raise RuleViolation(_("Unknown job."), field="kind", rule="wcm.job_kind")
    if kind == BulkJob.Kind.NOTICES and wave not in NoticeWave.values:
        raise RuleViolation(_("Choose the notice: 90, 60 or 30 days before."), field="wave", rule="wcm.job_wave")
    if kind != BulkJob.Kind.NOTICES:
        wave = ""
    if transition.status not in (PopulationTransition.Status.CONFIRMED, PopulationTransition.Status.READY):
        raise RuleViolation(_("Confirm the members first."), field="__all__", rule="wcm.not_confirmed")
    with transaction.atomic():
        live = BulkJob.objects.filter(transition=transition, kind=kind, wave=wave,
                                      status__in=[BulkJob.Status.QUEUED, BulkJob.Status.RUNNING]).first()
        if live is not None:
            return live
        try:
            with transaction.atomic():
                job = BulkJob.objects.create(transition=transition, kind=kind, wave=wave, requested_by=by,
                                             total=transition.members.count())
        except IntegrityError:  # a concurrent click created it
            return BulkJob.objects.get(transition=transition, kind=kind, wave=wave, status__in=[BulkJob.Status.QUEUED, BulkJob.Status.RUNNING])
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        from .tasks import population_bulk_job

        population_bulk_job.apply_async(args=[job_id], retry=False)
    except Exception:  # broker down: the dashboard offers "resume" once the job's lease has run out
        log.warning("could not queue population bulk job %s", job_id, exc_info=True)


def bulk_job_resume(*, job: BulkJob, by: User) -> BulkJob:
    """Hand a job that nobody is running (its worker died, the broker lost it) back to Celery."""
    _require_manager(job.transition.county_program, by)
    job.refresh_from_db()
    if not job.is_live:
        raise RuleViolation(_("This job has finished."), field="__all__", rule="wcm.job_finished")
    if job.lease_until and job.lease_until > timezone.now():
        raise RuleViolation(_("A worker is still running this job."), field="__all__", rule="wcm.job_running")
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CARECOORD.get("POPULATION_JOB_LEASE_SECONDS", 90))


def _claim(job_id: int) -> int | None:
    """Take the job for this runner; None when it is finished or another live runner holds it."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_live:
            return None
        now = timezone.now()
        if job.status == BulkJob.Status.RUNNING and job.lease_until and job.lease_until > now:
            return None
        job.status, job.runs, job.lease_until = BulkJob.Status.RUNNING, job.runs + 1, now + _lease()
        job.started_at = job.started_at or now
        job.save(update_fields=["status", "runs", "lease_until", "started_at"])
        return job.runs


def _finish(job: BulkJob) -> None:
    from carecoord.clocks.services import deadline_meet, outbox_kick

    now = timezone.now()
    job.status, job.finished_at, job.lease_until = BulkJob.Status.DONE, now, None
    job.save(update_fields=["status", "finished_at", "lease_until"])
    if job.kind == BulkJob.Kind.NOTICES:
        deadline_meet(rule_code=NOTICE_RULES[job.wave], subject=job.transition, met_at=now, by=job.requested_by)
        transaction.on_commit(outbox_kick)


def bulk_job_run(job_id: int, *, max_batches: int | None = None, progress=None) -> BulkJob | None:
    """Run (or continue) a job batch by batch from its cursor. Safe to call any number of times.

    Each batch is one transaction: the children's work, the cursor, the progress and the lease renewal
    commit together. A runner that finds its claim taken over (its lease ran out and another runner
    started) stops before writing anything more. ``progress(job)`` is called after each committed batch.
    """
    run = _claim(job_id)
    if run is None:
        return BulkJob.objects.filter(pk=job_id).first()
    batch_size = settings.CARECOORD.get("POPULATION_JOB_BATCH_SIZE", 100)
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            job = BulkJob.objects.select_for_update(of=("self",)).select_related("transition", "requested_by").get(pk=job_id)
            if job.runs != run or not job.is_live:
                return job
            transition = job.transition
            plan_names = dict(transition.plans.values_list("pk", "name"))
            batch = list(PopulationTransitionMember.objects.filter(transition=transition, pk__gt=job.cursor)
                         .select_related("member", "case", "case__organization", "plan", "member__primary_care_provider",
                                         "transition").order_by("pk")[:batch_size])
            if not batch:
                _finish(job)
                return job
            step = STEPS[job.kind]
            for tm in batch:
                if step(tm=tm, job=job, transition=transition, plan_names=plan_names):
                    job.created += 1
                else:
                    job.skipped += 1
            job.cursor, job.processed = batch[-1].pk, job.processed + len(batch)
            job.lease_until = timezone.now() + _lease()
            job.save(update_fields=["cursor", "processed", "created", "skipped", "lease_until"])
        batches += 1
        if progress is not None:
            progress(job)
    return BulkJob.objects.get(pk=job_id)


# --------------------------------------------------------------------------- welcome calls, FAQs, follow-up


def welcome_call_record(*, call: WelcomeCall, outcome: str, by: User, questions: str = "",
                        follow_up_on: datetime.date | None = None) -> WelcomeCall:
    """Record one call to the family: its outcome, the questions raised and when to call back."""
    if outcome not in WelcomeCall.Outcome.values or outcome == WelcomeCall.Outcome.PENDING:
        raise RuleViolation(_("Choose the outcome of the call."), field="outcome", rule="wcm.call_outcome")
    questions = (questions or "").strip()
    if outcome == WelcomeCall.Outcome.QUESTIONS_RAISED and not questions:
        raise RuleViolation(_("Write down the family's questions or concerns."), field="questions", rule="wcm.call_questions")
    if follow_up_on is not None and follow_up_on < timezone.localdate():
        raise RuleViolation(_("The follow-up date cannot be in the past."), field="follow_up_on", rule="wcm.call_follow_up_past")
    with transaction.atomic():
        call = WelcomeCall.objects.select_for_update().select_related("transition_member__case").get(pk=call.pk)
        call.outcome, call.attempts, call.last_called_at, call.called_by = outcome, call.attempts + 1, timezone.now(), by
        if questions:
            call.questions = f"{call.questions}\n{questions}".strip()
        call.follow_up_on = follow_up_on
        call.follow_up_done_at = None if follow_up_on else call.follow_up_done_at
        call.save(update_fields=["outcome", "attempts", "last_called_at", "called_by", "questions", "follow_up_on", "follow_up_done_at"])
        from cases.timeline import timeline_record

        timeline_record(case=call.transition_member.case, kind="wcm.welcome_call", actor=by,
                        summary=_("Welcome call: %(outcome)s") % {"outcome": call.get_outcome_display()},
                        data={"welcome_call": call.pk})
    return call


def faq_share(*, transition: PopulationTransition, uploaded_file, title: str, audiences: Iterable[str], by: User) -> FaqShare:
    """Store a FAQ (a document of kind ``faq``) and record which call centers it was given to."""
    from cases.documents import document_upload

    audiences = sorted(set(audiences))
    if not audiences or any(a not in FaqShare.Audience.values for a in audiences):
        raise RuleViolation(_("Choose who the FAQ is shared with."), field="audiences", rule="wcm.faq_audiences")
    _require_manager(transition.county_program, by)
    with transaction.atomic():
        document = document_upload(uploaded_file=uploaded_file, kind="faq", title=title, uploaded_by=by)
        return FaqShare.objects.create(transition=transition, document=document, audiences=audiences, shared_by=by)


def family_follow_up_done(*, family_notice: FamilyNotice, by: User) -> FamilyNotice:
    """The family without a valid address was reached another way."""
    with transaction.atomic():
        family_notice = FamilyNotice.objects.select_for_update().select_related("transition_member__case").get(pk=family_notice.pk)
        if family_notice.notice_id or family_notice.follow_up_done_at:
            return family_notice
        family_notice.follow_up_done_at = timezone.now()
        family_notice.save(update_fields=["follow_up_done_at"])
        from cases.timeline import timeline_record

        timeline_record(case=family_notice.transition_member.case, kind="wcm.family_follow_up", actor=by,
                        summary=_("Family without a valid address reached about the transition notice (%(wave)s days)") % {
                            "wave": family_notice.wave})
    return family_notice
