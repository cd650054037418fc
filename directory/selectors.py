"""Reads of the care network: search by need, county, language, plan and distance; fit
warnings; a member's utilization picture with likely duplicates; the gaps report."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.accounts.models import Organization
from cases.selectors import member_cases_editable_by

from .geo import haversine_miles, zip_point
from .models import ConcurrentReview, ProviderProfile, UnmetNeed

@dataclass
class SearchHit:
    profile: ProviderProfile
    miles: float | None
    warnings: list[str] = field(default_factory=list)


def provider_search(*, service: str | None = None, county=None, language: str | None = None, plan=None,
                    origin: tuple[float, float] | None = None, max_miles: float | None = None,
                    accepting_only: bool = False, ccs_paneled_only: bool = False, community: bool | None = None,
                    limit: int = 50) -> list[SearchHit]:
    """Providers and resources matching every given filter, nearest first (unknown distance last).

    Filters run in the database; distance is computed for the filtered candidates only,
    so the work is bounded by the filters, not by the size of the directory.
    """
    qs = ProviderProfile.objects.select_related("organization").filter(organization__is_active=True)
    if service:
        qs = qs.filter(services__code=service)
    if county is not None:
        qs = qs.filter(counties_served=county)
    if language:
        qs = qs.filter(languages__contains=[language]) if _json_contains_supported() else qs.filter(languages__icontains=f'"{language}"')
    if plan is not None:
        qs = qs.filter(plans=plan)
    if accepting_only:
        qs = qs.filter(accepting_new_patients=True)
    if ccs_paneled_only:
        # Paneled today, by the same rule as ProviderProfile.is_paneled_on.
        today = timezone.localdate()
        qs = qs.filter(ccs_paneling=ProviderProfile.Paneling.PANELED).filter(
            Q(paneled_from__isnull=True) | Q(paneled_from__lte=today)).filter(
            Q(paneled_until__isnull=True) | Q(paneled_until__gte=today))
    if community is not None:
        qs = qs.filter(is_community_resource=community)
    hits = []
    for profile in qs.distinct()[:2000]:
        point = profile.point
        miles = round(haversine_miles(origin, point), 1) if origin and point else None
        if max_miles is not None and (miles is None or miles > max_miles):
            continue
        hits.append(SearchHit(profile=profile, miles=miles))
    hits.sort(key=lambda h: (h.miles is None, h.miles or 0, h.profile.organization.name))
    return hits[:limit]


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def member_origin(member) -> tuple[float, float] | None:
    return zip_point(member.zip_code) if member is not None else None


def provider_fit_warnings(provider: Organization | None, *, member=None, program: str = "",
                          on: datetime.date | None = None) -> list[str]:
    """Why this provider may be a poor choice for this member: each reason in words (empty list: a good fit).

    CCS paneling is judged in one place, ``cases.ccs.provider_paneling_warning``, which reads
    the directory's paneling status and dates.
    """
    if provider is None:
        return []
    from cases.ccs import provider_paneling_warning

    warnings = []
    profile = getattr(provider, "profile", None)
    if program == "ccs":
        paneling = provider_paneling_warning(provider, on=on)
        if paneling:
            warnings.append(paneling)
    if profile is not None and member is not None:
        from cases.selectors import active_coverage

        coverage = active_coverage(member=member)
        if coverage is not None and coverage.plan_id and not profile.plans.filter(pk=coverage.plan_id).exists():
            warnings.append(_("%(name)s is not in the network of %(plan)s.") % {"name": provider.name, "plan": coverage.plan})
    if profile is not None and not profile.accepting_new_patients:
        warnings.append(_("%(name)s is not accepting new patients.") % {"name": provider.name})
    return warnings


# --- Utilization picture -----------------------------------------------------------------

@dataclass
class UtilizationItem:
    kind: str  # authorization, referral, admission, appointment, review
    at: datetime.date
    end: datetime.date | None
    title: str
    provider: Organization | None
    program: str
    status: str
    service_key: str  # what "the same service" means when looking for duplicates
    url: str = ""
    duplicate_reasons: list[str] = field(default_factory=list)

    @property
    def provider_pk(self):
        return self.provider.pk if self.provider is not None else None


def _overlaps(a: UtilizationItem, b: UtilizationItem) -> bool:
    a_end = a.end or a.at
    b_end = b.end or b.at
    return a.at <= b_end and b.at <= a_end


def flag_likely_duplicates(items: list[UtilizationItem]) -> None:
    """Overlapping authorizations of one service, and one service from two providers at once."""
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.service_key != b.service_key or not a.service_key or not _overlaps(a, b):
                continue
            if a.kind == b.kind == "authorization":
                reason = _("Overlapping authorizations for the same service")
            elif a.provider_pk != b.provider_pk:
                reason = _("The same service from two providers at the same time")
            else:
                continue
            a.duplicate_reasons.append(reason)
            b.duplicate_reasons.append(reason)


def _service_key(text: str, code: str = "") -> str:
    return (code or text or "").strip().lower()


def utilization_for(*, member, user) -> list[UtilizationItem]:
    """Authorizations, referrals, admissions, appointments and inpatient reviews across programs and plans,
    for the cases of this member the user may see; newest first, likely duplicates flagged."""
    from cases.ccs_models import ServiceAuthorization
    from cases.selectors import case_list_visible_to
    from referrals.models import Referral
    from transitions.models import SettingEpisode

    cases = case_list_visible_to(user=user).filter(member=member)
    items: list[UtilizationItem] = []
    for sar in ServiceAuthorization.objects.filter(case__in=cases).select_related("provider", "case"):
        items.append(UtilizationItem(kind="authorization", at=sar.start_date, end=sar.end_date, title=sar.service,
                                     provider=sar.provider, program=sar.case.program, status=sar.get_decision_display(),
                                     service_key=_service_key(sar.service, sar.service_code)))
    referrals = Referral.objects.filter(member=member, direction="outbound").filter(Q(case__in=cases) | Q(case__isnull=True))
    for referral in referrals.select_related("recipient_organization"):
        start = timezone.localdate(referral.referred_at)
        items.append(UtilizationItem(kind="referral", at=start, end=None, title=referral.get_service_type_display(),
                                     provider=referral.recipient_organization, program=referral.program,
                                     status=referral.get_status_display(), service_key=referral.service_type))
        if referral.appointment_at:
            items.append(UtilizationItem(kind="appointment", at=timezone.localdate(referral.appointment_at), end=None,
                                         title=referral.get_service_type_display(), provider=referral.recipient_organization,
                                         program=referral.program, status=referral.get_status_display(), service_key=""))
    for episode in SettingEpisode.objects.filter(case__in=cases).select_related("provider", "case"):
        items.append(UtilizationItem(
            kind="admission", at=timezone.localdate(episode.admitted_at),
            end=timezone.localdate(episode.discharged_at) if episode.discharged_at else timezone.localdate(),
            title=episode.get_setting_display(), provider=episode.provider, program=episode.case.program,
            status=_("discharged") if episode.discharged_at else _("current"), service_key=f"setting:{episode.setting}"))
    for review in ConcurrentReview.objects.filter(case__in=cases).select_related("facility", "case"):
        items.append(UtilizationItem(kind="review", at=review.admitted_on, end=review.expected_discharge,
                                     title=_("Inpatient stay: %(level)s") % {"level": review.level_of_care},
                                     provider=review.facility, program=review.case.program,
                                     status=_("transfer arranged") if review.transfer_arranged else _("under review"),
                                     service_key=""))
    flag_likely_duplicates(items)
    items.sort(key=lambda item: item.at, reverse=True)
    return items


def utilization_section_context(member, user) -> dict:
    items = utilization_for(member=member, user=user)
    # The member's open cases whose inpatient stays and reports to the PCP this user may record.
    return {"utilization": items, "duplicate_count": sum(1 for item in items if item.duplicate_reasons),
            "cases_to_record": member_cases_editable_by(user=user, member=member).exclude(status="closed")}


# --- Gaps in services ----------------------------------------------------------------------

def gaps_report(*, start: datetime.date, end: datetime.date) -> QuerySet:
    """Unmet needs by county, service and language for a period, most frequent first."""
    return (
        UnmetNeed.objects.filter(recorded_at__date__gte=start, recorded_at__date__lte=end)
        .values("county__name", "service__name", "language")
        .annotate(count=Count("pk"))
        .order_by("-count", "county__name", "service__name", "language")
    )
