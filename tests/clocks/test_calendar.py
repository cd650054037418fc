"""California working days and due times (carecoord.clocks.calendar).

The holiday schedules below are written out by hand from the CalHR rules
(Government Code §19853), not computed, so the code is checked against an
independent answer. No database is needed.
"""
import datetime
import subprocess
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carecoord.clocks.calendar import (
    PACIFIC, WorkingCalendar, due_after_calendar_days, due_after_hours, due_after_months,
    due_after_working_days, due_before, end_of_day, state_holidays,
)

UTC = datetime.timezone.utc
CALENDAR_FILE = Path(__file__).resolve().parents[2] / "carecoord" / "clocks" / "calendar.py"


def pacific(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PACIFIC)


def eod(year, month, day) -> datetime.datetime:
    return datetime.datetime(year, month, day, 23, 59, 59, 999999, tzinfo=PACIFIC)


# ---------------------------------------------------------------------------
# The CalHR schedule, by hand
# ---------------------------------------------------------------------------

CALHR_SCHEDULE = {
    # 2025: every holiday on a weekday.
    2025: {
        date(2025, 1, 1),    # New Year's Day, Wed
        date(2025, 1, 20),   # MLK Day, 3rd Mon
        date(2025, 2, 17),   # Presidents' Day, 3rd Mon
        date(2025, 3, 31),   # Cesar Chavez Day, Mon
        date(2025, 5, 26),   # Memorial Day, last Mon
        date(2025, 7, 4),    # Independence Day, Fri
        date(2025, 9, 1),    # Labor Day, 1st Mon
        date(2025, 11, 11),  # Veterans Day, Tue
        date(2025, 11, 27),  # Thanksgiving, 4th Thu
        date(2025, 11, 28),  # Day after Thanksgiving
        date(2025, 12, 25),  # Christmas, Thu
    },
    # 2026: July 4 is a Saturday -> no office closes for Independence Day.
    2026: {
        date(2026, 1, 1),    # Thu
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 3, 31),   # Tue
        date(2026, 5, 25),
        date(2026, 9, 7),
        date(2026, 11, 11),  # Wed
        date(2026, 11, 26),
        date(2026, 11, 27),
        date(2026, 12, 25),  # Fri
    },
    # 2027: July 4 is a Sunday -> Mon July 5; Christmas is a Saturday -> nothing
    # (and New Year's Day 2028 is a Saturday too, so no Dec 31 closure).
    2027: {
        date(2027, 1, 1),    # Fri
        date(2027, 1, 18),
        date(2027, 2, 15),
        date(2027, 3, 31),   # Wed
        date(2027, 5, 31),   # May 31 is itself the last Monday
        date(2027, 7, 5),    # Independence Day (observed)
        date(2027, 9, 6),
        date(2027, 11, 11),  # Thu
        date(2027, 11, 25),
        date(2027, 11, 26),
    },
    # 2028: New Year's Day is a Saturday -> nothing; Veterans Day is a Saturday
    # -> observed Fri Nov 10 (the one Saturday exception).
    2028: {
        date(2028, 1, 17),
        date(2028, 2, 21),
        date(2028, 3, 31),   # Fri
        date(2028, 5, 29),
        date(2028, 7, 4),    # Tue
        date(2028, 9, 4),
        date(2028, 11, 10),  # Veterans Day (observed)
        date(2028, 11, 23),
        date(2028, 11, 24),
        date(2028, 12, 25),  # Mon
    },
}


@pytest.mark.parametrize("year", sorted(CALHR_SCHEDULE))
def test_state_holidays_match_the_calhr_schedule_exactly(year):
    # Given the CalHR schedule for the year, written out by hand
    expected = CALHR_SCHEDULE[year]

    # When the calendar lists the year's observed holidays
    observed = state_holidays(year)

    # Then it is exactly that set -- nothing missing, nothing extra
    assert set(observed) == expected


def test_observed_holidays_are_named_as_observed():
    # Given years where a holiday moves off its own date
    # When their holidays are listed
    # Then the moved date carries the holiday's name, marked as observed
    assert state_holidays(2027)[date(2027, 7, 5)] == "Independence Day (observed)"
    assert state_holidays(2028)[date(2028, 11, 10)] == "Veterans Day (observed)"
    assert state_holidays(2030)[date(2030, 4, 1)] == "Cesar Chavez Day (observed)"
    assert state_holidays(2026)[date(2026, 3, 31)] == "Cesar Chavez Day"


@pytest.mark.parametrize("year, observed_monday", [(2024, date(2024, 4, 1)), (2030, date(2030, 4, 1))])
def test_cesar_chavez_day_on_a_sunday_is_observed_the_monday_after(year, observed_monday):
    # Given a year in which March 31 is a Sunday
    assert date(year, 3, 31).weekday() == 6

    # When the year's holidays are listed
    holidays = state_holidays(year)

    # Then Monday April 1 is the holiday and Sunday March 31 is not listed
    assert observed_monday in holidays
    assert date(year, 3, 31) not in holidays


def test_saturday_holidays_close_nothing_except_veterans_day():
    # Given July 4 2026 and Christmas 2027 on Saturdays, and Veterans Day 2028 on a Saturday
    calendar = WorkingCalendar()

    # When the Friday before each is checked
    # Then only the Veterans Day Friday is closed (no federal-style Friday rule)
    assert calendar.is_working_day(date(2026, 7, 3))
    assert calendar.is_working_day(date(2027, 12, 24))
    assert calendar.is_working_day(date(2027, 12, 31))
    assert not calendar.is_working_day(date(2028, 11, 10))


def test_state_holidays_hands_out_a_copy():
    # Given a caller that changes the dict it was given
    holidays = state_holidays(2026)
    holidays[date(2026, 6, 19)] = "Juneteenth"

    # When the holidays are asked for again
    # Then the change did not leak into the calendar
    assert date(2026, 6, 19) not in state_holidays(2026)
    assert WorkingCalendar().is_working_day(date(2026, 6, 19))


@pytest.mark.parametrize("day, name", [
    (date(2026, 6, 19), "Juneteenth"),              # Fri
    (date(2027, 6, 18), "Juneteenth (Fri before a Saturday)"),
    (date(2026, 2, 12), "Lincoln Day"),             # Thu
    (date(2026, 10, 12), "Columbus Day"),           # Mon
    (date(2026, 9, 25), "Native American Day"),     # 4th Fri of September
    (date(2026, 2, 17), "Lunar New Year"),          # Tue
    (date(2025, 10, 20), "Diwali"),                 # Mon
])
def test_government_code_6700_days_that_do_not_close_offices_are_working_days(day, name):
    # Given a day named in Government Code §6700 that does not close state offices
    calendar = WorkingCalendar()

    # When it is checked
    # Then it is a working day
    assert calendar.is_working_day(day), name


def test_weekends_are_not_working_days():
    # Given an ordinary weekend and the weekdays around it
    calendar = WorkingCalendar()

    # When each day is checked
    # Then Saturday and Sunday are not working days and the weekdays are
    assert calendar.is_working_day(date(2026, 6, 12))       # Fri
    assert not calendar.is_working_day(date(2026, 6, 13))   # Sat
    assert not calendar.is_working_day(date(2026, 6, 14))   # Sun
    assert calendar.is_working_day(date(2026, 6, 15))       # Mon


# ---------------------------------------------------------------------------
# Counting working days
# ---------------------------------------------------------------------------

def test_five_working_days_from_the_wednesday_before_thanksgiving():
    # Given adequate medical documentation received Wed Nov 25 2026 at 4 p.m. Pacific
    started_at = pacific(2026, 11, 25, 16, 0)

    # When the 5-working-day CCS eligibility clock is computed
    due = due_after_working_days(started_at, 5, calendar=WorkingCalendar())

    # Then Thanksgiving and the day after are skipped along with the weekend:
    # Mon 30, Tue 1, Wed 2, Thu 3, Fri 4 -> due at the end of Fri Dec 4, Pacific
    assert due == eod(2026, 12, 4)
    assert due.utcoffset() == datetime.timedelta(hours=-8)


def test_working_day_clock_uses_the_pacific_date_of_the_event():
    # Given an event recorded in UTC on Nov 26 that was still Wed Nov 25 in California
    started_at = datetime.datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 19:00 PST Nov 25

    # When 5 working days are added
    due = due_after_working_days(started_at, 5, calendar=WorkingCalendar())

    # Then the count starts from the Pacific date, Wednesday
    assert due == eod(2026, 12, 4)


def test_clock_spanning_cesar_chavez_day_on_a_sunday():
    # Given an event on Fri Mar 29 2030; Mar 31 is a Sunday, observed Mon Apr 1
    started_at = pacific(2030, 3, 29, 10, 0)

    # When 1 and 5 working days are added
    one = due_after_working_days(started_at, 1, calendar=WorkingCalendar())
    five = due_after_working_days(started_at, 5, calendar=WorkingCalendar())

    # Then Monday Apr 1 is skipped: day 1 is Tue Apr 2, day 5 is Mon Apr 8
    assert one == eod(2030, 4, 2)
    assert five == eod(2030, 4, 8)


def test_a_closure_day_pushes_a_working_day_deadline_by_one_day():
    # Given a 5-working-day clock starting Mon Jun 1 2026 (normally due Mon Jun 8)
    started_at = pacific(2026, 6, 1, 9, 0)
    assert due_after_working_days(started_at, 5, calendar=WorkingCalendar()) == eod(2026, 6, 8)

    # When the county has closed its offices on Wed Jun 3
    calendar = WorkingCalendar(closure_days=[date(2026, 6, 3)])

    # Then that day is not a working day and the deadline moves to Tue Jun 9
    assert not calendar.is_working_day(date(2026, 6, 3))
    assert due_after_working_days(started_at, 5, calendar=calendar) == eod(2026, 6, 9)


def test_closure_days_are_read_once_from_any_iterable():
    # Given closure days supplied by a one-shot generator (like a lazy query)
    calendar = WorkingCalendar(closure_days=(d for d in [date(2026, 6, 3), date(2026, 6, 4)]))

    # When they are checked more than once
    # Then both are still closed every time
    for _ in range(2):
        assert not calendar.is_working_day(date(2026, 6, 3))
        assert not calendar.is_working_day(date(2026, 6, 4))


def test_zero_working_days_is_the_start_day_itself():
    # Given a start on a Saturday
    calendar = WorkingCalendar()

    # When 0 working days are added
    # Then nothing is counted and the start comes back unchanged
    assert calendar.add_working_days(date(2026, 6, 13), 0) == date(2026, 6, 13)


def test_working_days_from_a_weekend_start():
    # Given an event on Sat Jun 13 2026
    calendar = WorkingCalendar()

    # When 1 working day is added
    # Then it is the Monday
    assert calendar.add_working_days(date(2026, 6, 13), 1) == date(2026, 6, 15)


def test_negative_working_days_count_back():
    # Given Mon Nov 30 2026, just after the Thanksgiving holidays and a weekend
    calendar = WorkingCalendar()
    start = date(2026, 11, 30)

    # When working days are counted back
    # Then the holidays and weekend are skipped: -1 is Wed Nov 25, -3 is Mon Nov 23
    assert calendar.add_working_days(start, -1) == date(2026, 11, 25)
    assert calendar.add_working_days(start, -3) == date(2026, 11, 23)
    # And counting back undoes counting forward
    assert calendar.add_working_days(date(2026, 12, 4), -5) == date(2026, 11, 25)


def test_working_days_between_counts_after_start_up_to_and_including_end():
    # Given the Thanksgiving week of 2026
    calendar = WorkingCalendar()

    # When the working days between dates are counted
    # Then the start day is not counted, the end day is, and holidays are not
    assert calendar.working_days_between(date(2026, 11, 25), date(2026, 12, 4)) == 5
    assert calendar.working_days_between(date(2026, 11, 25), date(2026, 11, 29)) == 0
    assert calendar.working_days_between(date(2026, 11, 25), date(2026, 11, 25)) == 0
    # And a past end gives a negative count (an overdue deadline)
    assert calendar.working_days_between(date(2026, 12, 4), date(2026, 11, 25)) == -5


@pytest.mark.parametrize("n", [0, 1, 4, 5, 10, 23, 60])
def test_working_days_between_inverts_add_working_days(n):
    # Given starts on a weekday, a weekend day and a holiday, with a closure day
    calendar = WorkingCalendar(closure_days=[date(2026, 12, 7)])
    for start in (date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 26)):
        # When n working days are added
        end = calendar.add_working_days(start, n)

        # Then exactly n working days lie after the start up to the result
        assert calendar.working_days_between(start, end) == n
        # And the result is a working day unless nothing was counted
        assert n == 0 or calendar.is_working_day(end)


def test_working_days_cross_the_year_end():
    # Given Wed Dec 23 2026 (Christmas Fri Dec 25; New Year's Day Fri Jan 1 2027)
    calendar = WorkingCalendar()

    # When 6 working days are added
    # Then Thu 24, Mon 28, Tue 29, Wed 30, Thu 31, Mon Jan 4
    assert calendar.add_working_days(date(2026, 12, 23), 6) == date(2027, 1, 4)


# ---------------------------------------------------------------------------
# Day, hour and month clocks
# ---------------------------------------------------------------------------

def test_end_of_day_is_the_last_instant_of_the_pacific_day():
    # Given a winter and a summer day
    # When their ends are computed
    winter, summer = end_of_day(date(2026, 1, 15)), end_of_day(date(2026, 7, 15))

    # Then each is 23:59:59.999999 in Pacific time, with the right UTC offset
    assert (winter.hour, winter.minute, winter.second, winter.microsecond) == (23, 59, 59, 999999)
    assert winter.utcoffset() == datetime.timedelta(hours=-8)
    assert summer.utcoffset() == datetime.timedelta(hours=-7)
    assert summer.tzinfo is PACIFIC


def test_calendar_day_clock_ends_at_the_end_of_the_pacific_day():
    # Given a CCS denial decided late on Fri Jan 30 2026 Pacific, recorded in UTC
    started_at = datetime.datetime(2026, 1, 31, 6, 30, tzinfo=UTC)  # 22:30 PST Jan 30

    # When the 7-calendar-day NOA clock is computed
    due = due_after_calendar_days(started_at, 7)

    # Then it is the end of Fri Feb 6 Pacific, weekends included in the count
    assert due == eod(2026, 2, 6)


def test_24_hours_across_spring_forward():
    # Given an event at noon PST on Sat Mar 7 2026; clocks spring forward early Mar 8
    started_at = pacific(2026, 3, 7, 12, 0)

    # When a 24-hour clock is computed
    due = due_after_hours(started_at, 24)

    # Then 24 real hours later is 13:00 PDT on Mar 8 (not 12:00)
    assert due == pacific(2026, 3, 8, 13, 0)
    assert (due.hour, due.utcoffset()) == (13, datetime.timedelta(hours=-7))
    # (subtract in UTC: Python subtracts same-zone datetimes by wall clock, giving 25h here)
    assert due.astimezone(UTC) - started_at.astimezone(UTC) == datetime.timedelta(hours=24)


def test_24_hours_across_fall_back():
    # Given an event at noon PDT on Sat Oct 31 2026; clocks fall back early Nov 1
    started_at = pacific(2026, 10, 31, 12, 0)

    # When a 24-hour clock is computed
    due = due_after_hours(started_at, 24)

    # Then 24 real hours later is 11:00 PST on Nov 1 (not 12:00)
    assert (due.date(), due.hour, due.utcoffset()) == (date(2026, 11, 1), 11, datetime.timedelta(hours=-8))
    assert due == datetime.datetime(2026, 11, 1, 19, 0, tzinfo=UTC)


def test_hours_inside_the_repeated_fall_back_hour():
    # Given 00:30 PDT on Nov 1 2026, just before 2 a.m. PDT becomes 1 a.m. PST
    started_at = pacific(2026, 11, 1, 0, 30)

    # When 2 hours are added
    due = due_after_hours(started_at, 2)

    # Then it is the second 01:30 of the night, in PST (fold=1). Compared in UTC:
    # Python never calls a repeated-hour time == to a time in another zone.
    assert due.astimezone(UTC) == datetime.datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert (due.hour, due.minute, due.fold, due.utcoffset()) == (1, 30, 1, datetime.timedelta(hours=-8))


def test_hour_clock_accepts_any_time_zone():
    # Given an event recorded in New York time
    started_at = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("America/New_York"))

    # When 72 hours are added
    due = due_after_hours(started_at, 72)

    # Then the due time is the same instant 72 hours on, given in Pacific time
    assert due == pacific(2026, 6, 4, 6, 0)
    assert due.tzinfo is PACIFIC


@pytest.mark.parametrize("fn", [
    lambda s: due_after_hours(s, 24),
    lambda s: due_after_calendar_days(s, 7),
    lambda s: due_after_months(s, 6),
    lambda s: due_after_working_days(s, 5, calendar=WorkingCalendar()),
])
def test_naive_start_times_are_refused(fn):
    # Given a start time without a time zone
    # When any clock is computed from it
    # Then it is refused rather than read in the server's zone
    with pytest.raises(ValueError):
        fn(datetime.datetime(2026, 6, 1, 9, 0))


@pytest.mark.parametrize("start, months, expected_day", [
    (date(2026, 8, 31), 6, date(2027, 2, 28)),   # clamped to February's end
    (date(2027, 8, 31), 6, date(2028, 2, 29)),   # leap year
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),  # annual review from a leap day
    (date(2026, 5, 15), 12, date(2027, 5, 15)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year end
])
def test_month_clocks_keep_the_day_and_clamp_at_month_end(start, months, expected_day):
    # Given an event on a day of the month
    started_at = pacific(start.year, start.month, start.day, 10, 0)

    # When a months clock is computed
    due = due_after_months(started_at, months)

    # Then it ends with the same day-of-month, or the month's last day if shorter
    assert due == end_of_day(expected_day)


def test_month_clock_uses_the_pacific_date():
    # Given an event at 22:00 PDT Aug 31 2026, recorded in UTC as Sep 1
    started_at = datetime.datetime(2026, 9, 1, 5, 0, tzinfo=UTC)

    # When a 6-month care plan review clock is computed
    # Then it counts from Aug 31, clamped to Feb 28 2027
    assert due_after_months(started_at, 6) == eod(2027, 2, 28)


# ---------------------------------------------------------------------------
# "Before" clocks
# ---------------------------------------------------------------------------

def test_ten_days_before_a_monday_activation():
    # Given benefit activation on Mon Jun 15 2026
    activation = date(2026, 6, 15)

    # When the latest on-time date for a notice "at least 10 days before" is computed
    due = due_before(activation, 10, "calendar_days")

    # Then a notice dated Fri Jun 5 is on time and one dated Sat Jun 6 is late
    assert due == eod(2026, 6, 5)
    assert pacific(2026, 6, 5, 17, 0) <= due
    assert pacific(2026, 6, 6, 0, 0) > due


def test_calendar_days_before_ignore_holidays():
    # Given a 30-day-before rule with a target after a holiday
    # When the limit is computed
    # Then only calendar days count: Dec 26 2026 - 30 days = Nov 26, Thanksgiving itself
    assert due_before(date(2026, 12, 26), 30, "calendar_days") == eod(2026, 11, 26)


def test_working_days_before_a_target():
    # Given a rule "at least 2 working days before" Mon Nov 30 2026
    calendar = WorkingCalendar()
    target = date(2026, 11, 30)

    # When the limit is computed
    due = due_before(target, 2, "working_days", calendar=calendar)

    # Then it is Tue Nov 24: after it come Wed Nov 25 and Mon Nov 30 (2 working days),
    # while after Wed Nov 25 comes only Mon Nov 30
    assert due == eod(2026, 11, 24)
    assert calendar.working_days_between(date(2026, 11, 24), target) == 2
    assert calendar.working_days_between(date(2026, 11, 25), target) == 1


@pytest.mark.parametrize("target, n", [
    (date(2026, 6, 19), 5),   # a Friday
    (date(2026, 6, 15), 1),   # a Monday
    (date(2026, 6, 20), 1),   # a Saturday
    (date(2026, 11, 30), 3),  # after Thanksgiving
    (date(2027, 1, 4), 10),   # across Christmas and New Year
])
def test_working_days_before_is_the_last_day_that_still_satisfies_the_rule(target, n):
    # Given a working-days "before" rule
    calendar = WorkingCalendar()

    # When the limit date is computed
    limit = due_before(target, n, "working_days", calendar=calendar).date()

    # Then a notice on that date leaves n working days to the target, and a day later does not
    assert calendar.working_days_between(limit, target) >= n
    assert calendar.working_days_between(limit + datetime.timedelta(days=1), target) < n


def test_working_days_before_respects_closure_days():
    # Given "at least 1 working day before" Fri Jun 19 2026, with Jun 19 itself a county closure
    calendar = WorkingCalendar(closure_days=[date(2026, 6, 19)])

    # When the limit is computed
    # Then the closed Friday does not count, so the notice must be dated by Wed Jun 17
    assert due_before(date(2026, 6, 19), 1, "working_days", calendar=calendar) == eod(2026, 6, 17)


def test_due_before_rejects_an_unknown_unit_or_negative_count():
    # Given a bad unit or count
    # When a "before" limit is asked for
    # Then it is refused
    with pytest.raises(ValueError):
        due_before(date(2026, 6, 15), 10, "hours")
    with pytest.raises(ValueError):
        due_before(date(2026, 6, 15), -1, "calendar_days")


# ---------------------------------------------------------------------------
# Independence from Django
# ---------------------------------------------------------------------------

def test_module_loads_on_its_own_without_django():
    # Given a fresh interpreter with no Django settings
    # When calendar.py is loaded by itself (not through the carecoord package,
    # whose __init__ starts Celery)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('standalone_calendar', {str(CALENDAR_FILE)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "import datetime\n"
        "assert module.WorkingCalendar().is_working_day(datetime.date(2026, 6, 19))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"}, timeout=60)

    # Then it works and nothing from Django was imported
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
