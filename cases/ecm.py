"""ECM populations of focus for child-welfare-involved children and youth, as pure functions.

The five conditions of the CalAIM ECM Policy Guide quoted in the ECM guide for CWS (seed 004).
Each is decided from the member's date of birth and child welfare episodes on a given day, and
the matching rule is returned with its words so the page can say why the member qualifies.

Edges, decided here once:
- "under 21 / 18 / up to 26": the age on the day, in whole years; on the birthday the member has
  reached that age and no longer qualifies under that rule.
- "within the last 12 months": an episode that ended on the same calendar day 12 months ago (the
  last day of the month when that day does not exist) still counts; one that ended the day before
  does not.
- "in foster care on the 18th birthday or later": an episode that covers the 18th birthday or any
  later day (ending on the birthday counts).
"""
from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

FOSTER_CARE = "foster_care"
FAMILY_MAINTENANCE = "family_maintenance"
ADOPTION_ASSISTANCE = "adoption_assistance"


@dataclass(frozen=True)
class PopulationRule:
    code: str
    text: str


RULES: dict[str, PopulationRule] = {r.code: r for r in (
    PopulationRule("cw_foster_care_now", _("Under age 21 and currently receiving foster care in California")),
    PopulationRule("cw_foster_care_past_12_months",
                   _("Under age 21 and received foster care in California or another state within the last 12 months")),
    PopulationRule("cw_aged_out_to_26",
                   _("Aged out of foster care, up to age 26, having been in foster care on the 18th birthday or later")),
    PopulationRule("cw_adoption_assistance", _("Under age 18 and eligible for or in the Adoption Assistance Program")),
    PopulationRule("cw_family_maintenance",
                   _("Under age 18 and receiving Family Maintenance services now or within the last 12 months")),
)}


@dataclass(frozen=True)
class Episode:
    """The facts of one child welfare episode the rules use (a ChildWelfareEpisode or test data)."""

    kind: str
    start_date: datetime.date
    end_date: datetime.date | None = None
    state: str = "CA"


@dataclass(frozen=True)
class PopulationMatch:
    code: str
    text: str
    because: str  # the episode that matched, in words


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same calendar day ``months`` earlier; the month's last day when that day does not exist."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday(born: datetime.date, years: int) -> datetime.date:
    """The day the member turns ``years`` (1 March for a 29 February birthday in a common year)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


def _covers(episode: Episode, day: datetime.date) -> bool:
    return episode.start_date <= day and (episode.end_date is None or episode.end_date >= day)


def _describe(episode: Episode) -> str:
    end = episode.end_date.isoformat() if episode.end_date else _("ongoing")
    return f"{episode.kind.replace('_', ' ')} ({episode.state}) {episode.start_date.isoformat()} – {end}"


def _match(code: str, episode: Episode) -> PopulationMatch:
    return PopulationMatch(code=code, text=str(RULES[code].text), because=_describe(episode))


def populations_of_focus(*, date_of_birth: datetime.date, episodes: Iterable[Episode], on: datetime.date) -> list[PopulationMatch]:
    """Every child welfare population of focus the member is in on ``on``, in the guide's order."""
    episodes = [e for e in episodes if e.start_date <= on]
    age = age_on(date_of_birth, on)
    cutoff = months_before(on, 12)
    found: dict[str, PopulationMatch] = {}
    for e in episodes:
        if e.kind == FOSTER_CARE:
            if age < 21 and e.state == "CA" and _covers(e, on):
                found.setdefault("cw_foster_care_now", _match("cw_foster_care_now", e))
            elif age < 21 and (e.end_date is None or e.end_date >= cutoff):
                # Ended within the window, or ongoing in another state.
                found.setdefault("cw_foster_care_past_12_months", _match("cw_foster_care_past_12_months", e))
            if 18 <= age < 26 and (e.end_date is None or e.end_date >= birthday(date_of_birth, 18)):
                found.setdefault("cw_aged_out_to_26", _match("cw_aged_out_to_26", e))
        elif e.kind == ADOPTION_ASSISTANCE:
            if age < 18 and _covers(e, on):
                found.setdefault("cw_adoption_assistance", _match("cw_adoption_assistance", e))
        elif e.kind == FAMILY_MAINTENANCE:
            if age < 18 and (e.end_date is None or e.end_date >= cutoff):
                found.setdefault("cw_family_maintenance", _match("cw_family_maintenance", e))
    return [found[code] for code in RULES if code in found]


def member_populations_of_focus(member, on: datetime.date) -> list[PopulationMatch]:
    """The rules for a saved member, from their ChildWelfareEpisode rows."""
    episodes = [Episode(kind=e.kind, start_date=e.start_date, end_date=e.end_date, state=e.state)
                for e in member.child_welfare_episodes.all()]
    return populations_of_focus(date_of_birth=member.date_of_birth, episodes=episodes, on=on)


def may_continue_ecm(*, date_of_birth: datetime.date, on: datetime.date) -> bool:
    """ECM may continue after the child welfare case closes, up to age 26."""
    return age_on(date_of_birth, on) < 26
