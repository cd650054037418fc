"""California working days, and the due times every clock is computed from.

This is the one module that knows which days California state offices are
closed. Everything that counts "working days" (the clock catalog, the
services that start deadlines, the dashboards) goes through it, so a holiday
rule is fixed in exactly one place.

Why hand-written rules rather than a holiday library: the general-purpose
libraries do not follow the CalHR schedule exactly. Some add Juneteenth,
Susan B. Anthony Day or Diwali (Government Code §6700 days that do NOT close
state offices), and some apply the federal rule that moves a Saturday holiday
to the Friday before, which California does only for Veterans Day. Eleven
fixed rules are easier to check against CalHR than a library's options.
See the project's CLOCKS.md, "Working days in California".

Counting conventions (the same for every clock):

* the day of the triggering event is day 0; "within 5 working days" ends at
  the end of the fifth working day after it;
* a day-based deadline ends at 23:59:59.999999 *Pacific* time on its last day,
  whatever time zone the event was recorded in;
* hour clocks count elapsed hours, so they run straight through
  daylight-saving changes;
* "before" clocks (a notice at least 10 days before activation) count back from
  the target date to the last date on which the notice is still on time.

This module must stay importable without Django set up (only the standard
library and ``zoneinfo``), so it can be used and tested on its own. Closure days
kept in the database are passed in by the caller (see
``carecoord.clocks.services.working_calendar_for``).
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "PACIFIC",
    "WorkingCalendar",
    "due_after_calendar_days",
    "due_after_hours",
    "due_after_months",
    "due_after_working_days",
    "due_before",
    "end_of_day",
    "state_holidays",
]

# State offices, and so every working-day deadline, run on California time,
# not on the server's or the user's time zone.
PACIFIC = ZoneInfo("America/Los_Angeles")

_ONE_DAY = datetime.timedelta(days=1)
_MONDAY, _THURSDAY, _FRIDAY, _SATURDAY, _SUNDAY = 0, 3, 4, 5, 6

CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"


# --------------------------------------------------------------------------
# State holidays
# --------------------------------------------------------------------------

def _nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    """The n-th given weekday of a month (n >= 1), e.g. the 3rd Monday of January."""
    first = datetime.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + datetime.timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> datetime.date:
    """The last given weekday of a month, e.g. the last Monday of May."""
    last = _first_of_next_month(year, month) - _ONE_DAY
    return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)


def _first_of_next_month(year: int, month: int) -> datetime.date:
    return datetime.date(year + month // 12, month % 12 + 1, 1)


@lru_cache(maxsize=64)
def _observed_holidays(year: int) -> tuple[tuple[datetime.date, str], ...]:
    # Cached because every working-day step asks about its year; a tuple so the
    # cached value cannot be changed by a caller (state_holidays hands out a copy).
    actual: list[tuple[datetime.date, str]] = [
        (datetime.date(year, 1, 1), "New Year's Day"),
        (_nth_weekday(year, 1, _MONDAY, 3), "Martin Luther King Jr. Day"),
        (_nth_weekday(year, 2, _MONDAY, 3), "Presidents' Day"),
        (datetime.date(year, 3, 31), "Cesar Chavez Day"),
        (_last_weekday(year, 5, _MONDAY), "Memorial Day"),
        (datetime.date(year, 7, 4), "Independence Day"),
        (_nth_weekday(year, 9, _MONDAY, 1), "Labor Day"),
        (datetime.date(year, 11, 11), "Veterans Day"),
        (_nth_weekday(year, 11, _THURSDAY, 4), "Thanksgiving Day"),
        (_nth_weekday(year, 11, _THURSDAY, 4) + _ONE_DAY, "Day after Thanksgiving"),
        (datetime.date(year, 12, 25), "Christmas Day"),
    ]
    observed: list[tuple[datetime.date, str]] = []
    for day, name in actual:
        if day.weekday() == _SUNDAY:
            # Government Code §19853: a Sunday holiday is observed the Monday after.
            observed.append((day + _ONE_DAY, f"{name} (observed)"))
        elif day.weekday() == _SATURDAY:
            # A Saturday holiday closes no office (employees get holiday credit
            # instead) -- except Veterans Day, which offices observe the Friday
            # before. Not the federal rule, which moves every Saturday holiday.
            if name == "Veterans Day":
                observed.append((day - _ONE_DAY, f"{name} (observed)"))
        else:
            observed.append((day, name))
    # No observed date can leave its year: Jan 1 only moves forward (to Jan 2)
    # and Dec 25 never moves past Dec 26, so each year stands alone.
    return tuple(observed)


def state_holidays(year: int) -> dict[datetime.date, str]:
    """The days California state offices are closed for a holiday in ``year``.

    Keys are the *observed* dates (the days offices are actually closed);
    values are the holiday names, with " (observed)" added when the date moved.
    Days the Governor proclaims are not predictable and are added as closure
    days on a ``WorkingCalendar`` instead.
    """
    return dict(_observed_holidays(year))


def _is_state_holiday(day: datetime.date) -> bool:
    return any(day == observed for observed, _ in _observed_holidays(day.year))


# --------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------

class WorkingCalendar:
    """Weekdays that are neither a state holiday nor an extra closure day.

    ``closure_days`` are days an administrator has closed for the responsible
    county or plan (and days the Governor proclaims). They are read once, at
    construction, so a lazy database query passed in is evaluated only once and
    later changes do not shift a calculation half-way through.
    """

    def __init__(self, closure_days: Iterable[datetime.date] = ()) -> None:
        self.closure_days: frozenset[datetime.date] = frozenset(closure_days)

    def __repr__(self) -> str:
        return f"WorkingCalendar(closure_days={sorted(self.closure_days)!r})"

    def is_working_day(self, day: datetime.date) -> bool:
        if day.weekday() >= _SATURDAY:
            return False
        return not _is_state_holiday(day) and day not in self.closure_days

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``start`` (``start`` itself is day 0).

        ``n == 0`` returns ``start`` unchanged, even when it is not a working
        day: nothing has been counted yet. A negative ``n`` counts back, giving
        the n-th working day before ``start``.
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        day = start
        remaining = abs(n)
        # Day by day: at most a few hundred steps for any real clock, and it is
        # obviously right, which matters more here than speed.
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """The working days after ``start``, up to and including ``end``.

        The inverse of ``add_working_days`` for n >= 0:
        ``working_days_between(s, add_working_days(s, n)) == n``. When ``end``
        is before ``start`` the result is negative (minus the working days after
        ``end`` up to and including ``start``), so "working days left" goes below
        zero once a deadline has passed instead of sticking at 0.
        """
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def _last_working_day_on_or_before(self, day: datetime.date) -> datetime.date:
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day


# --------------------------------------------------------------------------
# Due times
# --------------------------------------------------------------------------

def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of ``day`` in Pacific time (23:59:59.999999, aware).

    A "within N days" deadline is met by anything done on its last day, in
    California, so it ends at the end of that day rather than at the hour the
    clock started. (Pacific DST changes happen at 2 a.m., so this instant always
    exists and is never ambiguous.)
    """
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=PACIFIC)


def _pacific_date(moment: datetime.datetime) -> datetime.date:
    # A naive datetime would silently be read in the server's zone; refuse it so
    # a missing time zone is found in testing rather than as a day-off deadline.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"clock start must be time-zone aware, got naive {moment!r}")
    return moment.astimezone(PACIFIC).date()


def due_after_working_days(started_at: datetime.datetime, n: int, *,
                           calendar: WorkingCalendar) -> datetime.datetime:
    """End of the n-th working day after the Pacific date of ``started_at``."""
    return end_of_day(calendar.add_working_days(_pacific_date(started_at), n))


def due_after_calendar_days(started_at: datetime.datetime, n: int) -> datetime.datetime:
    """End of the Pacific day ``n`` calendar days after ``started_at``'s date."""
    return end_of_day(_pacific_date(started_at) + datetime.timedelta(days=n))


def due_after_hours(started_at: datetime.datetime, hours: float) -> datetime.datetime:
    """``hours`` elapsed hours after ``started_at``, expressed in Pacific time.

    The arithmetic is done in UTC: adding a timedelta to a Pacific wall-clock
    time would give 24 *wall-clock* hours, one hour off across a DST change.
    The result is the right instant; callers doing their own arithmetic or
    ``==`` on it should do so in UTC, because Python subtracts two Pacific
    datetimes by wall clock and never calls a time in the repeated fall-back
    hour equal to a time in another zone (ordering comparisons are fine).
    """
    _pacific_date(started_at)  # the same check for naive datetimes
    elapsed = started_at.astimezone(datetime.timezone.utc) + datetime.timedelta(hours=hours)
    return elapsed.astimezone(PACIFIC)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    # Same day of the month, clamped to the month's last day: an event on
    # Aug 31 with a 6-month clock is due Feb 28 (Feb 29 in a leap year), not
    # spilling over into March.
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = (_first_of_next_month(year, month) - _ONE_DAY).day
    return datetime.date(year, month, min(day.day, last_day))


def due_after_months(started_at: datetime.datetime, months: int) -> datetime.datetime:
    """End of the Pacific day on the same day of the month, ``months`` later."""
    return end_of_day(_add_months(_pacific_date(started_at), months))


def due_before(target: datetime.date, n: int, unit: str, *,
               calendar: WorkingCalendar | None = None) -> datetime.datetime:
    """The latest time that still satisfies "at least ``n`` ``unit`` before ``target``".

    ``unit`` is ``"calendar_days"`` or ``"working_days"``. A notice dated on the
    returned day is on time; one dated a day later is late.

    Calendar days: the date is simply ``target - n`` days (a notice at least 10
    days before a Monday activation must be dated no later than the Friday 10
    days earlier).

    Working days are counted the same way as everywhere else in this module --
    the days *after* the notice up to and including the target -- so the result
    is the latest date ``d`` with ``working_days_between(d, target) >= n``.
    That is the day before the n-th working day counted back from the target
    (the target itself counts when it is a working day). For example 5 working
    days before a Friday is the Sunday before the Monday of that week: a notice
    dated that weekend still has Monday to Friday after it.
    """
    if n < 0:
        raise ValueError(f"a 'before' clock needs a non-negative count, got {n}")
    if unit == CALENDAR_DAYS:
        return end_of_day(target - datetime.timedelta(days=n))
    if unit == WORKING_DAYS:
        calendar = calendar if calendar is not None else WorkingCalendar()
        if n == 0:
            return end_of_day(target)
        last_counted = calendar._last_working_day_on_or_before(target)
        nth_counted = calendar.add_working_days(last_counted, -(n - 1))
        return end_of_day(nth_counted - _ONE_DAY)
    raise ValueError(f"unit must be {CALENDAR_DAYS!r} or {WORKING_DAYS!r}, got {unit!r}")
