"""Reads of transitions and DMC-ODS coordination records, filtered to what the user may see.

Everything starts from ``cases.selectors.case_list_visible_to``. The monitoring
report (seed 003 section II) is computed in the database: one query for the
record-review measures and one for the timeliness measures per month.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from carecoord.accounts.models import User
from carecoord.clocks import calendar as workdays
from carecoord.clocks.models import Deadline
from cases.models import Case, Member, Program
from cases.selectors import case_list_visible_to, may_write_case_records

from .models import (
    CareTransition, CoordinatorInforming, PlanNotification, ServiceNote, SettingEpisode, TransitionSettings, TransitionStep,
)


def transition_assessment_age() -> int:
    """The age the pediatric-to-adult transition assessment starts: the admin setting, else ``CARECOORD``."""
    row = TransitionSettings.objects.order_by("pk").first()
    if row is not None:
        return row.transition_assessment_age
    return int(settings.CARECOORD.get("TRANSITION_ASSESSMENT_AGE", 14))


def stalled_after_days() -> int:
    return int(settings.CARECOORD.get("TRANSITION_STALLED_DAYS", 7))


def transition_list_visible_to(*, user) -> QuerySet[CareTransition]:
    return (CareTransition.objects.filter(case__in=case_list_visible_to(user=user))
            .select_related("case", "member", "recipient_organization", "receiving_county", "referral")
            .order_by("-event_at", "-pk"))


def transition_get_for_user(*, user, transition_id) -> CareTransition:
    return get_object_or_404(transition_list_visible_to(user=user), pk=transition_id)


def transitions_stalled(*, user, days: int | None = None, now: datetime.datetime | None = None) -> QuerySet[CareTransition]:
    """Open transitions with no step for ``days`` days (default ``CARECOORD["TRANSITION_STALLED_DAYS"]``)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=stalled_after_days() if days is None else days)
    return transition_list_visible_to(user=user).filter(status=CareTransition.Status.OPEN, last_step_at__lt=cutoff).order_by("last_step_at")


def transition_steps(transition: CareTransition) -> list[TransitionStep]:
    return list(transition.steps.select_related("by").order_by("at", "pk"))


def episode_list_visible_to(*, user) -> QuerySet[SettingEpisode]:
    return (SettingEpisode.objects.filter(case__in=case_list_visible_to(user=user))
            .select_related("case__member", "provider").prefetch_related("plan_notifications").order_by("-admitted_at", "-pk"))


def episode_get_for_user(*, user, episode_id) -> SettingEpisode:
    return get_object_or_404(episode_list_visible_to(user=user), pk=episode_id)


def plan_notification_list_visible_to(*, user) -> QuerySet[PlanNotification]:
    """Residential notifications; a plan's liaison sees only those sent to their plan."""
    qs = PlanNotification.objects.filter(episode__case__in=case_list_visible_to(user=user))
    if user.role == User.Role.PLAN_LIAISON:
        qs = qs.filter(plan_id=user.organization_id)
    return qs.select_related("episode__case__member", "plan", "notified_by").order_by("-notified_at", "-pk")


def residential_notices_due(*, user) -> QuerySet[Deadline]:
    """Open or missed 24-hour plan notification clocks on cases the user sees."""
    return (Deadline.objects.filter(rule_code="dmc.mcp_residential_notice", status__in=Deadline.ACTIVE_STATUSES,
                                    case__in=case_list_visible_to(user=user))
            .select_related("case__member").order_by("due_at"))


def members_due_transition_assessment(*, user, today: datetime.date | None = None) -> QuerySet[Member]:
    """CCS members old enough for the transition assessment, under 21, with no pediatric-to-adult transition open."""
    today = today or timezone.localdate()
    age = transition_assessment_age()

    def years_before(years: int) -> datetime.date:
        day = 28 if (today.month, today.day) == (2, 29) else today.day  # 29 February in a non-leap year
        return today.replace(year=today.year - years, day=day)

    oldest_born, youngest_born = years_before(21), years_before(age)
    cases = case_list_visible_to(user=user).filter(program=Program.CCS).exclude(status=Case.Status.CLOSED)
    return (Member.objects.filter(cases__in=cases, date_of_birth__gt=oldest_born, date_of_birth__lte=youngest_born)
            .exclude(care_transitions__kind=CareTransition.Kind.PEDIATRIC_TO_ADULT,
                     care_transitions__status=CareTransition.Status.OPEN)
            .distinct().order_by("date_of_birth"))


def case_deadlines(case: Case, *, subjects: list) -> list[Deadline]:
    """Deadlines of this case opened on any of ``subjects`` (model instances)."""
    q = Q(pk__in=[])
    for obj in subjects:
        q |= Q(subject_type=ContentType.objects.get_for_model(obj), subject_id=obj.pk)
    return list(Deadline.objects.filter(q, case=case).order_by("due_at"))


# --------------------------------------------------------------------------- monitoring report


@dataclass
class MonitoringRow:
    organization_id: int
    organization: str
    month: datetime.date
    members: int = 0
    coordinated_care_consent: int = 0
    release_of_information: int = 0
    told_how_to_reach_coordinator: int = 0
    pcp_detail_complete: int = 0
    coordination_between_settings: int = 0
    transitions_due: int = 0
    transitions_on_time: int = 0
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    plan_notices_due: int = 0
    plan_notices_on_time: int = 0

    MEASURES = ("coordinated_care_consent", "release_of_information", "told_how_to_reach_coordinator",
                "pcp_detail_complete", "coordination_between_settings")

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    def shares(self) -> dict[str, float | None]:
        values = {m: self.share(getattr(self, m), self.members) for m in self.MEASURES}
        values["transitions_timely"] = self.share(self.transitions_on_time, self.transitions_due)
        values["follow_up_timely"] = self.share(self.follow_ups_on_time, self.follow_ups_due)
        values["plan_notice_timely"] = self.share(self.plan_notices_on_time, self.plan_notices_due)
        return values


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month in Pacific time as [start, end) aware datetimes."""
    first = month.replace(day=1)
    nxt = (first + datetime.timedelta(days=32)).replace(day=1)
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=workdays.PACIFIC)
    end = datetime.datetime.combine(nxt, datetime.time.min, tzinfo=workdays.PACIFIC)
    return start, end


def _consent_in_month(kinds, first: datetime.date, last: datetime.date, start: datetime.datetime) -> Exists:
    from consents.models import Consent

    return Exists(Consent.objects.filter(
        member=OuterRef("member_id"), kind__in=kinds, effective_on__lte=last,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=first), Q(revoked_at__isnull=True) | Q(revoked_at__gte=start)))


def monitoring_report(*, user, months: list[datetime.date], organization_id: int | None = None,
                      now: datetime.datetime | None = None) -> list[MonitoringRow]:
    """Seed 003 II, per DMC-ODS provider and month: of the members with an open DMC-ODS case in the month,
    how many had a coordinated care consent in force, a release of information (HIPAA authorization or Part 2
    consent), a record that they were told how to reach their coordinator (by the month's end), a complete
    PCP detail (a PCP on file with a phone number), and documented coordination between settings in the month
    (a service note so marked or a transition step); and, of the clocks due in the month, how many of the
    level-of-care transitions (first appointment), post-discharge follow-ups and residential plan notifications
    were met on time (clocks still open past due count as not on time)."""
    now = now or timezone.now()
    visible = case_list_visible_to(user=user).filter(program=Program.DMC_ODS)
    if organization_id:
        visible = visible.filter(organization_id=organization_id)
    rows: dict[tuple[int, datetime.date], MonitoringRow] = {}
    for month in sorted({m.replace(day=1) for m in months}):
        start, end = month_bounds(month)
        last = (end - datetime.timedelta(days=1)).date()
        cases = Case.objects.filter(pk__in=visible.values("pk"), opened_at__lt=end).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        measures = {
            "coordinated_care_consent": Q(_consent_in_month(["coordinated_care"], month, last, start)),
            "release_of_information": Q(_consent_in_month(["hipaa_authorization", "part2"], month, last, start)),
            "told_how_to_reach_coordinator": Q(Exists(CoordinatorInforming.objects.filter(case=OuterRef("pk"), informed_at__lt=end))),
            "pcp_detail_complete": Q(member__primary_care_provider__isnull=False) & ~Q(member__primary_care_provider__phone=""),
            "coordination_between_settings": Q(Exists(ServiceNote.objects.filter(
                case=OuterRef("pk"), coordination_between_settings=True, written_at__gte=start, written_at__lt=end)))
            | Q(Exists(TransitionStep.objects.filter(transition__case=OuterRef("pk"), at__gte=start, at__lt=end)
                       .exclude(step__in=["opened", "packet_produced", "cancelled"]))),
        }
        aggregates = {"members": Count("member_id", distinct=True)}
        aggregates.update({name: Count("member_id", distinct=True, filter=q) for name, q in measures.items()})
        for values in cases.values("organization_id", "organization__name").annotate(**aggregates).order_by("organization__name"):
            row = MonitoringRow(organization_id=values["organization_id"], organization=values["organization__name"], month=month)
            for name in ("members",) + MonitoringRow.MEASURES:
                setattr(row, name, values[name])
            rows[(row.organization_id, month)] = row
        counted = Q(status__in=[Deadline.Status.MET_ON_TIME, Deadline.Status.MET_LATE, Deadline.Status.MISSED]) | Q(
            status=Deadline.Status.OPEN, due_at__lt=now)
        on_time = Q(status=Deadline.Status.MET_ON_TIME)
        timely = (Deadline.objects.filter(case__in=visible, due_at__gte=start, due_at__lt=end)
                  .values("case__organization_id", "case__organization__name")
                  .annotate(transitions_due=Count("pk", filter=counted & Q(rule_code="dmc.transition_first_appointment")),
                            transitions_on_time=Count("pk", filter=on_time & Q(rule_code="dmc.transition_first_appointment")),
                            follow_ups_due=Count("pk", filter=counted & Q(rule_code="all.post_discharge_follow_up")),
                            follow_ups_on_time=Count("pk", filter=on_time & Q(rule_code="all.post_discharge_follow_up")),
                            plan_notices_due=Count("pk", filter=counted & Q(rule_code="dmc.mcp_residential_notice")),
                            plan_notices_on_time=Count("pk", filter=on_time & Q(rule_code="dmc.mcp_residential_notice")))
                  .order_by())
        for values in timely:
            key = (values["case__organization_id"], month)
            row = rows.get(key) or MonitoringRow(organization_id=key[0], organization=values["case__organization__name"], month=month)
            for name in ("transitions_due", "transitions_on_time", "follow_ups_due", "follow_ups_on_time",
                         "plan_notices_due", "plan_notices_on_time"):
                setattr(row, name, values[name])
            rows[key] = row
    return sorted(rows.values(), key=lambda r: (r.month, r.organization, r.organization_id))


# --------------------------------------------------------------------------- case page section


def _part2_hidden_from(user, case: Case) -> bool:
    """A plan's liaison sees a DMC-ODS (42 CFR Part 2) record only while a consent lets SUD information go to the plan."""
    if case.program != Program.DMC_ODS or getattr(user, "role", None) != User.Role.PLAN_LIAISON or user.is_superuser:
        return False
    from consents.services import disclosure_check

    return not disclosure_check(member=case.member, recipient=user.organization, purpose="care_coordination",
                                categories=["sud"]).allowed


def case_section_context(case: Case, user) -> dict:
    """What the case page's "Transitions of care" tab shows (the case was already loaded through the selector)."""
    from .services import checklist_for

    if _part2_hidden_from(user, case):
        return {"part2_hidden": True, "is_dmc": True, "transitions": [], "episodes": []}
    transitions = list(CareTransition.objects.filter(case=case).select_related("recipient_organization", "receiving_county")
                       .prefetch_related("steps").order_by("-event_at", "-pk")[:20])
    for tr in transitions:
        done = {s.step for s in tr.steps.all()}
        tr.checklist = [(s, s.code in done) for s in checklist_for(tr)]
    episodes = list(SettingEpisode.objects.filter(case=case).select_related("provider").prefetch_related("plan_notifications")[:20])
    context = {
        "transitions": transitions,
        "episodes": episodes,
        "is_dmc": case.program == Program.DMC_ODS,
        "stalled_days": stalled_after_days(),
        "now": timezone.now(),
        "stalled_cutoff": timezone.now() - datetime.timedelta(days=stalled_after_days()),
        "may_write": may_write_case_records(user=user, case=case),
    }
    if case.program == Program.DMC_ODS:
        context.update(
            informings=list(case.coordinator_informings.select_related("coordinator", "informed_by")[:5]),
            problems=list(case.problem_list.all()[:50]),
            pending_changes=list(case.status_changes.filter(problem_list_updated_at__isnull=True)[:10]),
            attempts=list(case.contact_attempts.filter(purpose="initial_screening")[:20]),
            crises=list(case.crisis_events.all()[:10]),
            coordinations=list(case.plan_coordinations.select_related("organization")[:5]),
            mat_referrals=list(case.referrals.filter(service_type="mat_ntp").prefetch_related("events")[:10]),
            open_deadlines=list(Deadline.objects.filter(case=case, status__in=Deadline.ACTIVE_STATUSES,
                                                        rule_code__startswith="dmc.").order_by("due_at")),
        )
    return context
