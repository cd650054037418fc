"""Reads of consents and disclosures, starting from the member/case selectors so visibility holds.

A plan liaison sees a member's Part 2 consents only when SUD information may go to
their plan (a covering Part 2 consent): the existence of a Part 2 consent alone says
that the member is in SUD treatment.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.accounts.models import User
from cases.selectors import member_get_for_user, member_list_visible_to

from .models import PART2_KINDS, Consent, DataCategory, Disclosure, DisclosureListRequest, Purpose
from .services import disclosure_check

EXPIRING_WITHIN_DAYS = 30


def _hides_part2_from(user, member) -> bool:
    if getattr(user, "role", None) != User.Role.PLAN_LIAISON or user.is_superuser:
        return False
    if not user.organization_id:
        return True
    decision = disclosure_check(member=member, recipient=user.organization, purpose=Purpose.CARE_COORDINATION,
                                categories=[DataCategory.SUD])
    return not decision.allowed


def consents_for_member(*, user, member) -> QuerySet[Consent]:
    """The consents of a member already loaded through ``member_get_for_user``."""
    qs = Consent.objects.filter(member=member).select_related("recorded_by", "revoked_by", "document", "case").prefetch_related("recipients")
    if _hides_part2_from(user, member):
        qs = qs.exclude(kind__in=PART2_KINDS)
    return qs


def consent_list_for_user(*, user, member_id) -> tuple:
    """(member, consents) for a member the user may see; 404 otherwise."""
    member = member_get_for_user(user=user, member_id=member_id)
    return member, consents_for_member(user=user, member=member)


def consent_get_for_user(*, user, consent_id) -> Consent:
    try:
        consent = Consent.objects.select_related("member").get(
            pk=consent_id, member__in=member_list_visible_to(user=user))
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise Http404("No such consent") from None
    if consent.is_part2 and _hides_part2_from(user, consent.member):
        raise Http404("No such consent")
    return consent


def disclosures_for_member(*, member) -> QuerySet[Disclosure]:
    return (Disclosure.objects.filter(member=member)
            .select_related("recipient", "disclosed_by", "case").prefetch_related("consents"))


def disclosure_list_requests_for_member(*, member) -> QuerySet[DisclosureListRequest]:
    return DisclosureListRequest.objects.filter(member=member).select_related("recorded_by", "produced_by")


def disclosure_list_request_get_for_user(*, user, request_id) -> DisclosureListRequest:
    try:
        return DisclosureListRequest.objects.select_related("member").get(
            pk=request_id, member__in=member_list_visible_to(user=user))
    except (DisclosureListRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request") from None


# --------------------------------------------------------------------------- gaps


@dataclass(frozen=True)
class DisclosureNeed:
    """Information the work on a member needs to send: to whom, why, which categories."""

    recipient: object  # accounts.Organization
    purpose: str
    categories: tuple[str, ...]
    label: str  # what it is for, e.g. "referral packet"


@dataclass(frozen=True)
class Gap:
    need: DisclosureNeed
    rule: str
    reason: str
    denied_categories: frozenset[str]


#: Other apps add the disclosures their open work needs: fn(member) -> iterable of DisclosureNeed.
NEED_PROVIDERS: list[Callable] = []


def register_disclosure_need(fn: Callable) -> Callable:
    NEED_PROVIDERS.append(fn)
    return fn


SUD_SERVICE_TYPES = frozenset({"sud_residential", "sud_outpatient", "mat_ntp"})


def _referral_needs(member) -> Iterable[DisclosureNeed]:
    try:
        Referral = apps.get_model("referrals", "Referral")
    except LookupError:
        return []
    open_statuses = ("draft", "consent_checked")
    rows = (Referral.objects.filter(member=member, direction="outbound", status__in=open_statuses,
                                    recipient_organization__isnull=False)
            .select_related("recipient_organization", "case"))
    needs = []
    for referral in rows:
        sud = referral.service_type in SUD_SERVICE_TYPES or (referral.case_id and referral.case.program == "dmc_ods")
        categories = ("general", "sud") if sud else ("general",)
        needs.append(DisclosureNeed(referral.recipient_organization, Purpose.REFERRAL, categories,
                                    _("referral packet")))
    return needs


def _care_team_needs(member) -> Iterable[DisclosureNeed]:
    from cases.models import CareTeamMember, Case

    today = timezone.localdate()
    rows = (CareTeamMember.objects.filter(case__member=member, organization__isnull=False, end_date__isnull=True,
                                          start_date__lte=today)
            .exclude(case__status=Case.Status.CLOSED)
            .exclude(organization_id__in=Case.objects.filter(member=member).values("organization_id"))
            .select_related("organization", "case"))
    needs, seen = [], set()
    for row in rows:
        categories = ("general", "sud") if row.case.program == "dmc_ods" else ("general",)
        key = (row.organization_id, categories)
        if key in seen:
            continue
        seen.add(key)
        needs.append(DisclosureNeed(row.organization, Purpose.CARE_COORDINATION, categories,
                                    _("care coordination with the care team")))
    return needs


def consent_gaps(*, member, at: datetime.datetime | None = None) -> list[Gap]:
    """What open work on the member needs to send that no consent (or rule) allows now."""
    at = at or timezone.now()
    gaps = []
    for provider in (_referral_needs, _care_team_needs, *NEED_PROVIDERS):
        for need in provider(member):
            decision = disclosure_check(member=member, recipient=need.recipient, purpose=need.purpose,
                                        categories=need.categories, at=at)
            if not decision.allowed:
                gaps.append(Gap(need, decision.rule, decision.reason, decision.denied_categories))
    return gaps


def consent_summary_for(*, member, user=None, at: datetime.datetime | None = None) -> dict:
    """A member's consents at a glance: lists ``active``, ``expiring`` (active, ending within 30 days),
    ``pending``, ``revoked``, ``expired``, and ``gaps`` (open work blocked for want of consent).
    With ``user``, Part 2 consents are hidden from plan liaisons whose plan they do not cover."""
    at = at or timezone.now()
    qs = consents_for_member(user=user, member=member) if user is not None else (
        Consent.objects.filter(member=member).prefetch_related("recipients"))
    horizon = timezone.localtime(at).date() + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    summary = {"active": [], "expiring": [], "pending": [], "revoked": [], "expired": []}
    for consent in qs:
        status = consent.status(at)
        summary[status].append(consent)
        if status == "active" and consent.expires_on is not None and consent.expires_on <= horizon:
            summary["expiring"].append(consent)
    gaps = consent_gaps(member=member, at=at)
    if user is not None and _hides_part2_from(user, member):
        gaps = [gap for gap in gaps if DataCategory.SUD not in gap.need.categories]
    summary["gaps"] = gaps
    return summary
