"""Consents and the one disclosure check.

Everything that sends member information out of the system — referral packets,
transition hand-overs, notices to third parties, the plans' API, exports, reports —
calls :func:`disclose` (or :func:`disclose_bulk` for a list of many members going to
one recipient; :func:`disclosure_check` / :func:`filter_categories` to decide what to
include first). No other module decides whether information may go, and no other
module writes ``Disclosure`` rows.

Disclosure rules
================

A request is (member, recipient organization or named person, purpose, data
categories, moment). Each requested category is decided on its own; the request is
allowed only when every category is allowed. A consent *covers* a category when it
is in force at the moment (``effective_on <= day < expires_on`` in Pacific time, not
revoked, no expiry event recorded), lists the purpose and the category, and names
the recipient (organization, named person) or describes it by a recipient category
that resolves to it for this member at that moment.

=====================================  ========  ==============================================================
rule code                              outcome   when
=====================================  ========  ==============================================================
``member.own_access``                  allowed   recipient is the member themself (no organization, recipient_name
                                                 is the member's full name, purpose ``member_request``):
                                                 HIPAA right of access (45 CFR 164.524) and 42 CFR 2.23.
``consent.covered``                    allowed   every category is covered by an in-force consent; SUD only by a
                                                 Part 2 kind (``part2``, ``coordinated_care``) — 42 CFR 2.31/2.33.
                                                 Also used when some GENERAL data rides on ``hipaa.tpo_own_plan``.
``hipaa.tpo_own_plan``                 allowed   only GENERAL data, to the member's own current managed care plan
                                                 (active coverage on the day), for care coordination, payment or
                                                 enrollment: HIPAA TPO (45 CFR 164.506(c)) and the county–plan MOU
                                                 that makes the shared tracking list a duty. Never SUD, mental
                                                 health, HIV, reproductive or education data; never other purposes.
``disclosure.unknown_purpose``         denied    purpose is not one of :class:`~consents.models.Purpose`.
``disclosure.unknown_category``        denied    a category is not one of :class:`~consents.models.DataCategory`.
``disclosure.no_categories``           denied    nothing to disclose was named.
``disclosure.no_recipient``            denied    neither a recipient organization nor a recipient name.
``disclosure.consent_revoked``         denied    the only consent(s) that would cover it were revoked.
``disclosure.consent_expired``         denied    ... had expired (by date or by a recorded event).
``disclosure.consent_not_yet_effective`` denied  ... are not effective yet.
``disclosure.part2_consent_required``  denied    SUD data with no Part 2 consent covering recipient, purpose and
                                                 SUD category. There is no exception to this here (no TPO, no
                                                 own-plan shortcut); emergencies and court orders are handled
                                                 outside the system.
``disclosure.consent_required``        denied    any other category with no covering consent.
=====================================  ========  ==============================================================

When several denials apply, the first in this order wins: revoked, expired,
not yet effective (these say more to the user), then Part 2, then consent required.
Every disclosure that includes SUD data carries :data:`PART2_REDISCLOSURE_NOTICE`
(42 CFR 2.32); the caller must print/send ``Disclosure.redisclosure_notice`` with it.

Recipient categories resolve as follows (for the member, on the day):
``member_plan`` — the plan of the active managed-care coverage; ``primary_care`` —
``Member.primary_care_provider``; ``care_team`` — organizations on active care-team
rows of the member's cases that are not closed, and those cases' organizations;
``treating_providers`` — the provider-type organizations among ``care_team`` and the
primary care provider (a referral *target* is not yet a treating provider: name it).
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.errors import RuleViolation

from .models import (
    PART2_KINDS,
    Consent,
    ConsentKind,
    DataCategory,
    Disclosure,
    DisclosureListRequest,
    Purpose,
    RecipientCategory,
)

#: 42 CFR 2.32(a)(1) notice to accompany each disclosure of Part 2 (SUD) records.
PART2_REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
    "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
    "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, "
    "State, or local authority, against the patient, unless authorized by the consent of the patient, except as "
    "provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, "
    "the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of "
    "the following applies: (i) Further use or disclosure is expressly permitted by the written consent of the "
    "individual whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. "
    "(ii) You are a covered entity or business associate and have received the record for treatment, payment, or "
    "health care operations, or (iii) You have received the record from a covered entity or business associate as "
    "permitted by 45 CFR part 164, subparts A and E. A general authorization for the release of medical or other "
    "information is NOT sufficient to meet the required elements of written consent to further use or redisclose "
    "the record (see 42 CFR 2.31)."
)

#: The values the checks accept, as sets (an enum's ``values`` is a new list each time it is read).
KNOWN_PURPOSES = frozenset(Purpose.values)
KNOWN_CATEGORIES = frozenset(DataCategory.values)

#: Purposes for which GENERAL data may go to the member's own plan without a consent.
TPO_OWN_PLAN_PURPOSES = frozenset({Purpose.CARE_COORDINATION, Purpose.PAYMENT, Purpose.ENROLLMENT})

#: Purposes a Part 2 consent may pair with generically described recipients (2.31(a)(4)(ii)).
TPO_PURPOSES = frozenset({Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS, Purpose.CARE_COORDINATION,
                          Purpose.REFERRAL, Purpose.TRANSITION})

#: Organization types that count as treating providers.
PROVIDER_TYPES = frozenset({
    "ecm_provider", "dmc_ods_provider", "county_mhp", "ccs_physician", "special_care_center", "hospital",
    "pharmacy", "dme_vendor", "ntp", "dental", "medical_home", "mental_health", "medical_therapy_unit",
    "other_provider",
})


@dataclass(frozen=True)
class DisclosureDecision:
    """The answer of :func:`disclosure_check`.

    ``allowed`` — whether every requested category may go.
    ``reason`` — in words, for the user (names the consent, or the category/recipient/purpose lacking one).
    ``rule`` — stable code from the table in this module's docstring.
    ``consents`` — the in-force consents relied on (empty when denied or allowed by a rule without consent).
    ``denied_categories`` — requested categories that may not go (empty when allowed).
    ``redisclosure_notice`` — the 42 CFR 2.32 text when SUD data is allowed to go to a third party, else "".
    """

    allowed: bool
    reason: str
    rule: str
    consents: tuple[Consent, ...] = ()
    denied_categories: frozenset[str] = field(default_factory=frozenset)
    redisclosure_notice: str = ""


# --------------------------------------------------------------------------- recipients


class _RecipientResolver:
    """Resolves recipient categories for one member on one day, lazily and once each."""

    def __init__(self, member, at: datetime.datetime, preloaded: dict[str, frozenset[int]] | None = None) -> None:
        self.member = member
        self.at = at
        self.day = timezone.localtime(at).date()
        self._cache: dict[str, frozenset[int]] = dict(preloaded or {})

    def orgs(self, category: str) -> frozenset[int]:
        if category not in self._cache:
            self._cache[category] = frozenset(self._compute(category))
        return self._cache[category]

    def _compute(self, category: str) -> set[int]:
        from cases.models import CareTeamMember, Case
        from cases.selectors import active_coverage

        if category == RecipientCategory.MEMBER_PLAN:
            coverage = active_coverage(member=self.member, on=self.day)
            return {coverage.plan_id} if coverage is not None and coverage.plan_id else set()
        if category == RecipientCategory.PRIMARY_CARE:
            return {self.member.primary_care_provider_id} if self.member.primary_care_provider_id else set()
        if category in (RecipientCategory.CARE_TEAM, RecipientCategory.TREATING_PROVIDERS):
            live_cases = Case.objects.filter(member=self.member).exclude(status=Case.Status.CLOSED)
            rows = CareTeamMember.objects.filter(case__in=live_cases, organization__isnull=False, start_date__lte=self.day).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=self.day))
            pairs = set(rows.values_list("organization_id", "organization__type"))
            pairs |= set(live_cases.values_list("organization_id", "organization__type"))
            if category == RecipientCategory.CARE_TEAM:
                return {org_id for org_id, _type in pairs}
            ids = {org_id for org_id, org_type in pairs if org_type in PROVIDER_TYPES}
            if self.member.primary_care_provider_id:
                ids.add(self.member.primary_care_provider_id)
            return ids
        return set()


def _names_recipient(consent: Consent, recipient, recipient_name: str, resolver: _RecipientResolver) -> bool:
    if recipient is not None:
        if recipient.pk in consent.recipient_ids:
            return True
        return any(recipient.pk in resolver.orgs(cat) for cat in consent.recipient_categories)
    name = recipient_name.strip().casefold()
    return bool(name) and any(name == person.strip().casefold() for person in consent.recipient_persons)


def _recipient_label(recipient, recipient_name: str) -> str:
    return str(recipient) if recipient is not None else recipient_name.strip()


# --------------------------------------------------------------------------- the check


def _normalize(categories: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    requested = frozenset(str(c) for c in categories)
    unknown = requested - KNOWN_CATEGORIES
    return requested, unknown


# What a decision reads of a consent. The rest of the wide row (signatures, statements, notes) is for people, and
# loading it whole, with each consent's organizations through a related manager, was a third of a plan's case list.
DECISION_FIELDS = ("member", "kind", "data_categories", "purposes", "recipient_persons", "recipient_categories",
                   "effective_on", "expires_on", "revoked_at", "event_occurred_at")


def _consents_for_decisions(**filters) -> list[Consent]:
    """The consents matching ``filters`` as decisions read them: newest first, each with ``recipient_ids``, the
    organizations it names (read for all of them in one query)."""
    consents = list(Consent.objects.filter(**filters).only(*DECISION_FIELDS).order_by("-effective_on", "-id"))
    named: dict[int, set[int]] = defaultdict(set)
    if consents:
        pairs = Consent.recipients.through.objects.filter(consent_id__in=[consent.pk for consent in consents])
        for consent_id, organization_id in pairs.values_list("consent_id", "organization_id"):
            named[consent_id].add(organization_id)
    for consent in consents:
        consent.recipient_ids = frozenset(named[consent.pk])
    return consents


def _evaluate(*, member, recipient, purpose: str, categories: frozenset[str], recipient_name: str,
              at: datetime.datetime, consents: list[Consent], resolver: _RecipientResolver):
    """Per-category cover. Returns (covering consents by category, categories allowed by TPO own plan,
    consents that would cover apart from time/revocation)."""
    covered: dict[str, list[Consent]] = {c: [] for c in categories}
    lapsed: dict[str, list[Consent]] = {c: [] for c in categories}
    for consent in consents:
        if purpose not in consent.purposes or not _names_recipient(consent, recipient, recipient_name, resolver):
            continue
        in_force = consent.is_in_force(at)
        for category in categories & set(consent.data_categories):
            if category == DataCategory.SUD and not consent.is_part2:
                continue
            (covered if in_force else lapsed)[category].append(consent)
    tpo = frozenset()
    if (DataCategory.GENERAL in categories and recipient is not None and purpose in TPO_OWN_PLAN_PURPOSES
            and recipient.pk in resolver.orgs(RecipientCategory.MEMBER_PLAN)):
        tpo = frozenset({DataCategory.GENERAL})
    return covered, tpo, lapsed


def _uncovered(requested: frozenset[str], covered: dict[str, list[Consent]], tpo: frozenset[str]) -> frozenset[str]:
    """The requested categories neither a consent in force nor HIPAA's own-plan rule lets go."""
    return frozenset(c for c in requested if not covered[c] and c not in tpo)


def _denial(category: str, lapsed: list[Consent], recipient_label: str, purpose_label: str,
            at: datetime.datetime) -> tuple[str, str]:
    category_label = DataCategory(category).label
    if lapsed:
        consent = lapsed[0]
        status = consent.status(at)
        if status == "revoked":
            return "disclosure.consent_revoked", _(
                "The consent covering %(category)s to %(recipient)s for %(purpose)s was revoked on %(day)s.") % {
                "category": category_label, "recipient": recipient_label, "purpose": purpose_label,
                "day": f"{timezone.localtime(consent.revoked_at):%Y-%m-%d}"}
        if status == "expired":
            return "disclosure.consent_expired", _(
                "The consent covering %(category)s to %(recipient)s for %(purpose)s has expired.") % {
                "category": category_label, "recipient": recipient_label, "purpose": purpose_label}
        if status == "pending":
            return "disclosure.consent_not_yet_effective", _(
                "The consent covering %(category)s to %(recipient)s for %(purpose)s is not in force until %(day)s.") % {
                "category": category_label, "recipient": recipient_label, "purpose": purpose_label,
                "day": f"{consent.effective_on:%Y-%m-%d}"}
    if category == DataCategory.SUD:
        return "disclosure.part2_consent_required", _(
            "No 42 CFR Part 2 consent covers sending SUD records to %(recipient)s for %(purpose)s.") % {
            "recipient": recipient_label, "purpose": purpose_label}
    return "disclosure.consent_required", _(
        "No consent covers sending %(category)s information to %(recipient)s for %(purpose)s.") % {
        "category": category_label, "recipient": recipient_label, "purpose": purpose_label}


_DENIAL_ORDER = ("disclosure.consent_revoked", "disclosure.consent_expired", "disclosure.consent_not_yet_effective",
                 "disclosure.part2_consent_required", "disclosure.consent_required")


def disclosure_check(*, member, recipient, purpose: str, categories: Iterable[str], recipient_name: str = "",
                     at: datetime.datetime | None = None) -> DisclosureDecision:
    """May these ``categories`` of ``member``'s information go to ``recipient`` for ``purpose`` at ``at``?

    ``recipient`` is an ``accounts.Organization``, or ``None`` with ``recipient_name`` naming a person
    (matched case-insensitively against a consent's named persons). ``purpose`` is a
    :class:`~consents.models.Purpose` value; ``categories`` are :class:`~consents.models.DataCategory`
    values. ``at`` defaults to now (aware). Reads only; writes nothing. See the module docstring for rules.
    """
    at = at or timezone.now()
    return _decide(member=member, recipient=recipient, purpose=purpose, categories=categories,
                   recipient_name=recipient_name, at=at, consents=None, resolver=None)


def _decide(*, member, recipient, purpose: str, categories: Iterable[str], recipient_name: str, at: datetime.datetime,
            consents: list[Consent] | None, resolver: _RecipientResolver | None) -> DisclosureDecision:
    """The check itself; ``consents`` (as :func:`_consents_for_decisions` reads them) and ``resolver`` may be
    preloaded by a caller deciding for many members at once."""
    requested, unknown = _normalize(categories)
    recipient_label = _recipient_label(recipient, recipient_name)
    if purpose not in KNOWN_PURPOSES:
        return DisclosureDecision(False, _("Unknown purpose of disclosure: %(purpose)s.") % {"purpose": purpose},
                                  "disclosure.unknown_purpose", denied_categories=requested)
    if unknown:
        return DisclosureDecision(False, _("Unknown data category: %(category)s.") % {"category": ", ".join(sorted(unknown))},
                                  "disclosure.unknown_category", denied_categories=requested)
    if not requested:
        return DisclosureDecision(False, _("No information to disclose was named."), "disclosure.no_categories")
    if recipient is None and not recipient_name.strip():
        return DisclosureDecision(False, _("No recipient was named."), "disclosure.no_recipient", denied_categories=requested)
    if (recipient is None and purpose == Purpose.MEMBER_REQUEST
            and recipient_name.strip().casefold() == member.full_name.strip().casefold()):
        return DisclosureDecision(True, _("The member's own access to their records."), "member.own_access")

    purpose_label = Purpose(purpose).label
    covered, tpo, lapsed = _evaluate(
        member=member, recipient=recipient, purpose=purpose, categories=requested, recipient_name=recipient_name, at=at,
        consents=_consents_for_decisions(member=member) if consents is None else consents,
        resolver=resolver or _RecipientResolver(member, at))
    denied = _uncovered(requested, covered, tpo)
    if denied:
        denials = [_denial(c, lapsed[c], recipient_label, purpose_label, at) for c in sorted(denied)]
        rule, reason = min(denials, key=lambda d: _DENIAL_ORDER.index(d[0]))
        return DisclosureDecision(False, reason, rule, denied_categories=denied)

    used: dict[int, Consent] = {}
    for category in sorted(requested):
        if covered[category]:
            consent = covered[category][0]
            used.setdefault(consent.pk, consent)
    consents = tuple(used.values())
    notice = PART2_REDISCLOSURE_NOTICE if DataCategory.SUD in requested else ""
    if not consents:
        return DisclosureDecision(True, _("General information to the member's own managed care plan for %(purpose)s "
                                          "(HIPAA treatment, payment and operations; county–plan MOU).") % {"purpose": purpose_label},
                                  "hipaa.tpo_own_plan")
    names = "; ".join(f"{c.get_kind_display()} #{c.pk}" for c in consents)
    reason = _("Covered by %(consents)s.") % {"consents": names}
    if tpo and not covered[DataCategory.GENERAL]:
        reason += " " + _("General information to the member's own plan under HIPAA TPO.")
    return DisclosureDecision(True, reason, "consent.covered", consents=consents, redisclosure_notice=notice)


def filter_categories(*, member, recipient, purpose: str, categories: Iterable[str], at: datetime.datetime | None = None,
                      recipient_name: str = "") -> frozenset[str]:
    """The requested categories that may go to ``recipient`` for ``purpose`` now — for responses and
    files that leave out (segment) what is not covered, SUD above all, instead of refusing the whole.

    Unknown categories are never returned. Each category is judged alone, by the same rules as
    :func:`disclosure_check`. Whoever then sends the data still calls :func:`disclose` with what goes.
    """
    at = at or timezone.now()
    requested, unknown = _normalize(categories)
    requested -= unknown
    if not requested or purpose not in KNOWN_PURPOSES or (recipient is None and not recipient_name.strip()):
        return frozenset()
    decision = disclosure_check(member=member, recipient=recipient, purpose=purpose, categories=requested,
                                recipient_name=recipient_name, at=at)
    return requested - decision.denied_categories


def disclose(*, member, recipient, purpose: str, categories: Iterable[str], description: str, disclosed_by,
             recipient_name: str = "", case=None, channel: str = "") -> Disclosure:
    """Check, then account for, one disclosure happening now.

    Denied → raises ``RuleViolation(field="consent", rule=<denial rule code>, message=<reason naming the
    category, recipient and purpose lacking consent>)`` and writes nothing. Allowed → writes exactly one
    :class:`~consents.models.Disclosure` row (with the consents relied on) and, when ``case`` is given, one
    timeline line, in one transaction, and returns the row. When SUD data went out the row's
    ``redisclosure_notice`` carries the 42 CFR 2.32 text; the caller must send it with the data.

    Call it inside the caller's own transaction that produces the packet/response, so that a failure
    after it rolls the accounting back too. The member's consents are locked for the check, so a
    revocation committed before this call is always seen.
    """
    categories = sorted(set(categories))
    if not (description or "").strip():
        raise RuleViolation(_("Say what is being disclosed."), field="description", rule="disclosure.description_required")
    with transaction.atomic():
        list(Consent.objects.select_for_update().filter(member=member).values_list("pk", flat=True))
        decision = disclosure_check(member=member, recipient=recipient, purpose=purpose, categories=categories,
                                    recipient_name=recipient_name)
        if not decision.allowed:
            raise RuleViolation(decision.reason, field="consent", rule=decision.rule)
        disclosure = Disclosure.objects.create(
            member=member, case=case, recipient=recipient, recipient_name=recipient_name or _recipient_label(recipient, ""),
            purpose=purpose, categories=categories, description=description.strip()[:500], rule=decision.rule,
            reason=decision.reason[:500], disclosed_by=disclosed_by, channel=channel,
            redisclosure_notice=decision.redisclosure_notice,
        )
        if decision.consents:
            disclosure.consents.set(decision.consents)
        if case is not None:
            from cases.timeline import timeline_record

            timeline_record(case=case, kind="consent.disclosed", actor=disclosed_by,
                            summary=_("Disclosed %(what)s to %(recipient)s") % {
                                "what": description.strip(), "recipient": disclosure.recipient_display},
                            data={"disclosure": disclosure.pk, "rule": decision.rule, "categories": categories})
    return disclosure


def _evidence_for_members(member_ids, at: datetime.datetime) -> dict[int, tuple]:
    """Per member of ``member_ids``, what a decision for them reads: the member, their consents and a recipient
    resolver, in a fixed number of queries (consents and plan coverage loaded once for all; care-team
    recipients are still resolved per member)."""
    from cases.models import Coverage, Member

    day = timezone.localtime(at).date()
    # Of a member, a decision reads the name (the member's own request) and the primary care provider (a consent
    # naming the member's PCP): the rest of the wide row, and its ordering, were a tenth of a plan's case list.
    members = Member.objects.only("first_name", "middle_name", "last_name", "primary_care_provider").order_by().in_bulk(member_ids)
    consents: dict[int, list[Consent]] = {member_id: [] for member_id in member_ids}
    for consent in _consents_for_decisions(member_id__in=member_ids):
        consents[consent.member_id].append(consent)
    plans: dict[int, frozenset[int]] = {member_id: frozenset() for member_id in member_ids}
    for member_id, plan_id in (Coverage.objects.filter(member_id__in=member_ids, start_date__lte=day, plan__isnull=False)
                               .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
                               .values_list("member_id", "plan_id")):
        plans[member_id] = frozenset({plan_id})
    return {
        member_id: (members[member_id], consents[member_id],
                    _RecipientResolver(members[member_id], at, preloaded={RecipientCategory.MEMBER_PLAN: plans[member_id]}))
        for member_id in member_ids
    }


def filter_categories_for_members(*, member_ids: Iterable[int], recipient, purpose: str, categories: Iterable[str],
                                  at: datetime.datetime | None = None) -> dict[int, frozenset[str]]:
    """:func:`filter_categories` for each of ``member_ids`` at once (a page of a list going to one recipient),
    with the number of queries independent of the number of members."""
    requested, unknown = _normalize(categories)
    requested -= unknown
    member_ids = set(member_ids)
    if not member_ids or not requested or purpose not in KNOWN_PURPOSES or recipient is None:
        return {member_id: frozenset() for member_id in member_ids}
    # What disclosure_check would deny, without the words of its reasons: known categories and purpose, and a
    # recipient organization, leave none of its other answers.
    at = at or timezone.now()
    allowed = {}
    for member_id, (member, consents, resolver) in _evidence_for_members(member_ids, at).items():
        covered, tpo, _lapsed = _evaluate(member=member, recipient=recipient, purpose=purpose, categories=requested,
                                          recipient_name="", at=at, consents=consents, resolver=resolver)
        allowed[member_id] = requested - _uncovered(requested, covered, tpo)
    return allowed


def disclose_bulk(*, rows: Iterable[tuple], recipient, purpose: str, categories: Iterable[str], description: str,
                  disclosed_by, channel: str = "", recipient_name: str = "") -> list[Disclosure]:
    """:func:`disclose` for many members at once (a list or export going to one recipient).

    ``rows`` are ``(member or member id, case or case id or None)`` pairs. Each member is decided by the
    same rules as :func:`disclosure_check`; if any is denied, ``RuleViolation(field="consent", rule=<its
    denial rule>)`` names the member and nothing is written. Otherwise one ``Disclosure`` per row is
    written (no timeline lines) and returned. The number of queries does not grow with the rows
    unless consents describe recipients by care team or treating providers.
    """
    from cases.models import Member

    rows = [(getattr(m, "pk", m), getattr(c, "pk", c)) for m, c in rows]
    categories = sorted(set(categories))
    if not (description or "").strip():
        raise RuleViolation(_("Say what is being disclosed."), field="description", rule="disclosure.description_required")
    if not rows:
        return []
    at = timezone.now()
    member_ids = {member_id for member_id, _case in rows}
    with transaction.atomic():
        list(Consent.objects.select_for_update().filter(member_id__in=member_ids).values_list("pk", flat=True))
        decisions = {member_id: _decide(member=member, recipient=recipient, purpose=purpose, categories=categories,
                                        recipient_name=recipient_name, at=at, consents=consents, resolver=resolver)
                     for member_id, (member, consents, resolver) in _evidence_for_members(member_ids, at).items()}
        for member_id, decision in decisions.items():
            if not decision.allowed:
                member = Member.objects.get(pk=member_id)
                raise RuleViolation(f"{member.full_name}: {decision.reason}", field="consent", rule=decision.rule)
        name = recipient_name or _recipient_label(recipient, "")
        created = Disclosure.objects.bulk_create([
            Disclosure(member_id=member_id, case_id=case_id, recipient=recipient, recipient_name=name, purpose=purpose,
                       categories=categories, description=description.strip()[:500], rule=decisions[member_id].rule,
                       reason=decisions[member_id].reason[:500], disclosed_by=disclosed_by, disclosed_at=at,
                       channel=channel, redisclosure_notice=decisions[member_id].redisclosure_notice)
            for member_id, case_id in rows
        ])
        through = Disclosure.consents.through
        through.objects.bulk_create([
            through(disclosure_id=row.pk, consent_id=consent.pk)
            for row in created for consent in decisions[row.member_id].consents
        ])
    return created


# --------------------------------------------------------------------------- consent records


def _require(condition: bool, *, field: str, message: str) -> None:
    if not condition:
        raise RuleViolation(message, field=field, rule=f"consent.{field}_required")


def _validate_scope(*, kind: str, purposes, data_categories, recipients, recipient_persons, recipient_categories,
                    tpo_generic: bool, effective_on, expires_on, expiry_event: str) -> None:
    if kind not in ConsentKind.values:
        raise RuleViolation(_("Choose the kind of consent."), field="kind", rule="consent.kind_required")
    _require(bool(data_categories), field="data_categories", message=_("Name the categories of information the consent covers."))
    bad = set(data_categories) - set(DataCategory.values)
    if bad:
        raise RuleViolation(_("Unknown data category: %(c)s.") % {"c": ", ".join(sorted(bad))}, field="data_categories",
                            rule="consent.data_categories_invalid")
    _require(bool(purposes), field="purposes", message=_("Name each purpose of the disclosure."))
    bad = set(purposes) - set(Purpose.values)
    if bad:
        raise RuleViolation(_("Unknown purpose: %(p)s.") % {"p": ", ".join(sorted(bad))}, field="purposes",
                            rule="consent.purposes_invalid")
    bad = set(recipient_categories) - set(RecipientCategory.values)
    if bad:
        raise RuleViolation(_("Unknown recipient category: %(r)s.") % {"r": ", ".join(sorted(bad))},
                            field="recipient_categories", rule="consent.recipient_categories_invalid")
    _require(bool(recipients) or bool(recipient_persons) or bool(recipient_categories), field="recipients",
             message=_("Name who may receive the information (organizations, people or a category of recipients)."))
    _require(effective_on is not None, field="effective_on", message=_("Enter the date the consent takes effect."))
    _require(expires_on is not None or bool(expiry_event.strip()), field="expires_on",
             message=_("Enter an expiration date or an expiration event."))
    if expires_on is not None and expires_on <= effective_on:
        raise RuleViolation(_("The expiration date must be after the effective date."), field="expires_on",
                            rule="consent.expires_after_effective")
    if kind in PART2_KINDS:
        _require(DataCategory.SUD in data_categories, field="data_categories",
                 message=_("A 42 CFR Part 2 consent must cover SUD records; record other releases as a HIPAA authorization."))
        if recipient_categories and not tpo_generic:
            raise RuleViolation(
                _("A Part 2 consent must name its recipients; describe them generically only for treatment, payment "
                  "and health care operations (tick that box)."), field="recipient_categories", rule="consent.part2_named_recipients")
        if recipient_categories and set(purposes) - TPO_PURPOSES:
            raise RuleViolation(
                _("Recipients described generically are allowed only for treatment, payment and health care operations; "
                  "name the recipients for the other purposes."), field="recipient_categories", rule="consent.part2_generic_tpo_only")
    if kind == ConsentKind.HIPAA_AUTHORIZATION and DataCategory.SUD in data_categories:
        raise RuleViolation(_("SUD (42 CFR Part 2) records need a Part 2 consent, not a HIPAA authorization."),
                            field="data_categories", rule="consent.sud_needs_part2")
    if kind == ConsentKind.ECM_VERBAL and DataCategory.SUD in data_categories:
        raise RuleViolation(_("A verbal consent cannot cover SUD (42 CFR Part 2) records; a written Part 2 consent is needed."),
                            field="data_categories", rule="consent.verbal_no_sud")


def _validate_written(*, kind: str, f: dict) -> None:
    """Elements of a written authorization: 45 CFR 164.508(c) and, for Part 2 kinds, 42 CFR 2.31(a)."""
    part2 = kind in PART2_KINDS
    _require(bool(f["description_of_information"].strip()), field="description_of_information",
             message=_("Describe the information to be disclosed (how much and what kind)."))
    _require(bool(f["discloser"].strip()), field="discloser",
             message=_("Name who is authorized to disclose the information."))
    _require(bool(f["signed_by_name"].strip()), field="signed_by_name", message=_("Enter who signed the consent."))
    _require(f["signed_on"] is not None, field="signed_on", message=_("Enter the date it was signed."))
    if f["signed_by_representative"]:
        _require(bool(f["representative_authority"].strip()), field="representative_authority",
                 message=_("Describe the representative's authority to sign for the member."))
    _require(f["statement_right_to_revoke"], field="statement_right_to_revoke",
             message=_("The form must state the right to revoke in writing and how to do it.") if part2
             else _("The form must state the right to revoke and how to do it."))
    _require(f["statement_treatment_not_conditioned"], field="statement_treatment_not_conditioned",
             message=_("The form must state that treatment, payment, enrollment or eligibility does not depend on signing."))
    _require(f["statement_redisclosure"], field="statement_redisclosure",
             message=_("The form must state that information disclosed may be redisclosed by the recipient."))


def _validate_verbal(*, f: dict) -> None:
    """The four elements of the ECM verbal referral consent and who took it when."""
    _require(bool(f["verbal_provider_and_service"].strip()), field="verbal_provider_and_service",
             message=_("Record the explanation of the provider and the service."))
    _require(f["verbal_information_shared"], field="verbal_information_shared",
             message=_("Explain what information will be shared with the provider."))
    _require(f["verbal_duration"], field="verbal_duration", message=_("Explain how long information will be shared."))
    _require(f["verbal_right_to_withdraw"], field="verbal_right_to_withdraw",
             message=_("Explain the right to withdraw consent."))
    _require(bool(f["given_by_name"].strip()), field="given_by_name", message=_("Enter who gave consent."))
    _require(f["obtained_by"] is not None, field="obtained_by", message=_("Enter who took the consent."))
    _require(f["obtained_at"] is not None, field="obtained_at", message=_("Enter when the consent was taken."))


def consent_record(*, member, kind: str, recorded_by, purposes: Iterable[str], data_categories: Iterable[str],
                   effective_on: datetime.date | None, expires_on: datetime.date | None = None, expiry_event: str = "",
                   recipients: Iterable = (), recipient_persons: Iterable[str] = (), recipient_categories: Iterable[str] = (),
                   tpo_generic: bool = False, description_of_information: str = "", discloser: str = "",
                   signed_by_name: str = "", signed_on: datetime.date | None = None, signed_by_representative: bool = False,
                   representative_authority: str = "", statement_right_to_revoke: bool = False,
                   statement_treatment_not_conditioned: bool = False, statement_redisclosure: bool = False,
                   verbal_provider_and_service: str = "", verbal_information_shared: bool = False,
                   verbal_duration: bool = False, verbal_right_to_withdraw: bool = False, given_by_name: str = "",
                   obtained_by=None, obtained_at: datetime.datetime | None = None, case=None, document=None,
                   notes: str = "") -> Consent:
    """Record a consent after checking every element its kind requires.

    Kinds and their elements: ``hipaa_authorization`` (45 CFR 164.508(c)); ``part2`` and
    ``coordinated_care`` (42 CFR 2.31: the HIPAA elements, SUD among the categories, recipients named
    unless ``tpo_generic``, right to revoke in writing); ``ecm_verbal`` (ECM guide: provider and service,
    what is shared, for how long, right to withdraw; who gave it, who took it, when; never SUD).
    All kinds: categories, purposes, recipients, effective date, expiry date or event.
    An element missing → ``RuleViolation(field=<element>, rule="consent.<element>_required")``; nothing written.
    """
    purposes = list(dict.fromkeys(purposes))
    data_categories = list(dict.fromkeys(data_categories))
    recipients = list(recipients)
    recipient_persons = [p.strip() for p in recipient_persons if p and p.strip()]
    recipient_categories = list(dict.fromkeys(recipient_categories))
    expiry_event = (expiry_event or "").strip()
    _validate_scope(kind=kind, purposes=purposes, data_categories=data_categories, recipients=recipients,
                    recipient_persons=recipient_persons, recipient_categories=recipient_categories,
                    tpo_generic=tpo_generic, effective_on=effective_on, expires_on=expires_on, expiry_event=expiry_event)
    fields = dict(
        description_of_information=description_of_information or "", discloser=discloser or "",
        signed_by_name=signed_by_name or "", signed_on=signed_on, signed_by_representative=signed_by_representative,
        representative_authority=representative_authority or "", statement_right_to_revoke=statement_right_to_revoke,
        statement_treatment_not_conditioned=statement_treatment_not_conditioned,
        statement_redisclosure=statement_redisclosure, verbal_provider_and_service=verbal_provider_and_service or "",
        verbal_information_shared=verbal_information_shared, verbal_duration=verbal_duration,
        verbal_right_to_withdraw=verbal_right_to_withdraw, given_by_name=given_by_name or "",
        obtained_by=obtained_by, obtained_at=obtained_at,
    )
    if kind == ConsentKind.ECM_VERBAL:
        _validate_verbal(f=fields)
    else:
        _validate_written(kind=kind, f=fields)
    if obtained_at is not None and timezone.is_naive(obtained_at):
        raise RuleViolation(_("Enter when the consent was taken."), field="obtained_at", rule="consent.obtained_at_aware")
    if case is not None and case.member_id != member.pk:
        raise RuleViolation(_("The case belongs to another member."), field="case", rule="consent.case_member")
    if document is not None and (document.member_id not in (None, member.pk) or document.kind != "signed_consent"):
        raise RuleViolation(_("Attach a signed consent document of this member."), field="document", rule="consent.document")
    with transaction.atomic():
        consent = Consent(member=member, case=case, kind=kind, purposes=purposes, data_categories=data_categories,
                          recipient_persons=recipient_persons, recipient_categories=recipient_categories,
                          tpo_generic=tpo_generic, effective_on=effective_on, expires_on=expires_on,
                          expiry_event=expiry_event, document=document, notes=notes or "", recorded_by=recorded_by,
                          **fields)
        from cases.services import validate_model

        validate_model(consent)
        consent.save()
        if recipients:
            consent.recipients.set(recipients)
        if case is not None:
            from cases.timeline import timeline_record

            timeline_record(case=case, kind="consent.recorded", actor=recorded_by,
                            summary=_("%(kind)s recorded") % {"kind": consent.get_kind_display()},
                            data={"consent": consent.pk})
    return consent


def consent_revoke(*, consent: Consent, revoked_by, in_writing: bool = False, note: str = "",
                   at: datetime.datetime | None = None) -> Consent:
    """Revoke a consent, effective at once (``at`` defaults to now; never in the future).

    Part 2 kinds need the revocation in writing (42 CFR 2.31(a)(6)) → ``consent.part2_revocation_in_writing``.
    Disclosures already made stand; the next :func:`disclose` is refused.
    """
    now = timezone.now()
    at = at or now
    if at > now:
        raise RuleViolation(_("A revocation takes effect when it is received, not later."), field="at",
                            rule="consent.revocation_not_future")
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.revoked_at is not None:
            raise RuleViolation(_("This consent was already revoked."), field="__all__", rule="consent.already_revoked")
        if consent.is_part2 and not in_writing:
            raise RuleViolation(_("A Part 2 consent is revoked in writing; attach or note the written revocation."),
                                field="in_writing", rule="consent.part2_revocation_in_writing")
        consent.revoked_at = at
        consent.revoked_by = revoked_by
        consent.revocation_in_writing = in_writing
        consent.revocation_note = (note or "")[:500]
        consent.save(update_fields=["revoked_at", "revoked_by", "revocation_in_writing", "revocation_note"])
        if consent.case_id:
            from cases.timeline import timeline_record

            timeline_record(case=consent.case, kind="consent.revoked", actor=revoked_by, at=at,
                            summary=_("%(kind)s revoked") % {"kind": consent.get_kind_display()},
                            data={"consent": consent.pk, "in_writing": in_writing})
    return consent


def consent_expire_by_event(*, consent: Consent, recorded_by, at: datetime.datetime | None = None, note: str = "") -> Consent:
    """Record that the consent's expiry event happened; the consent ends at ``at`` (default now)."""
    at = at or timezone.now()
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if not consent.expiry_event:
            raise RuleViolation(_("This consent has no expiration event."), field="__all__", rule="consent.no_expiry_event")
        if consent.event_occurred_at is not None:
            raise RuleViolation(_("The expiration event was already recorded."), field="__all__", rule="consent.event_already_recorded")
        consent.event_occurred_at = at
        consent.event_recorded_by = recorded_by
        if note:
            consent.notes = f"{consent.notes}\n{note}".strip()
        consent.save(update_fields=["event_occurred_at", "event_recorded_by", "notes"])
        if consent.case_id:
            from cases.timeline import timeline_record

            timeline_record(case=consent.case, kind="consent.expired", actor=recorded_by, at=at,
                            summary=_("%(kind)s ended: %(event)s") % {"kind": consent.get_kind_display(), "event": consent.expiry_event},
                            data={"consent": consent.pk})
    return consent


# --------------------------------------------------------------------------- list of disclosures


DISCLOSURE_LIST_RULE = "all.part2_disclosure_list"


def disclosure_list_request(*, member, recorded_by, requested_by_name: str = "",
                            requested_at: datetime.datetime | None = None) -> DisclosureListRequest:
    """Record a member's request for the list of disclosures and start the 30-day clock."""
    from carecoord.clocks.services import deadline_start

    requested_at = requested_at or timezone.now()
    if timezone.is_naive(requested_at) or requested_at > timezone.now():
        raise RuleViolation(_("Enter when the request was received."), field="requested_at", rule="disclosure_list.requested_at")
    with transaction.atomic():
        request = DisclosureListRequest.objects.create(member=member, requested_at=requested_at,
                                                       requested_by_name=(requested_by_name or member.full_name)[:200],
                                                       recorded_by=recorded_by)
        deadline_start(rule_code=DISCLOSURE_LIST_RULE, subject=request, started_at=requested_at, member=member,
                       owner=recorded_by, organization=getattr(recorded_by, "organization", None))
    return request


def disclosure_list_produce(*, request: DisclosureListRequest, produced_by, at: datetime.datetime | None = None) -> DisclosureListRequest:
    """Mark the list as produced (first time only) and meet the clock."""
    from carecoord.clocks.services import deadline_meet

    at = at or timezone.now()
    with transaction.atomic():
        request = DisclosureListRequest.objects.select_for_update().get(pk=request.pk)
        if request.produced_at is None:
            request.produced_at = at
            request.produced_by = produced_by
            request.save(update_fields=["produced_at", "produced_by"])
            deadline_meet(rule_code=DISCLOSURE_LIST_RULE, subject=request, met_at=at, by=produced_by)
    return request
