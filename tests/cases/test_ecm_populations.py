"""ECM child welfare populations of focus: each rule true and false at its edges (seed 004)."""
import datetime

import pytest

from cases.ecm import Episode, months_before, populations_of_focus

TODAY = datetime.date(2026, 11, 23)
YEAR_AGO = datetime.date(2025, 11, 23)  # exactly 12 months ago


def born(age: int, *, days_until_birthday: int = 0) -> datetime.date:
    """A date of birth that makes the member ``age`` today, turning ``age + 1`` in ``days_until_birthday`` days
    (0: today is the birthday that reached ``age``)."""
    birthday_this_year = TODAY + datetime.timedelta(days=days_until_birthday)
    years = age + 1 if days_until_birthday else age
    return birthday_this_year.replace(year=birthday_this_year.year - years)


def codes(dob, *episodes):
    return [m.code for m in populations_of_focus(date_of_birth=dob, episodes=episodes, on=TODAY)]


FOSTER_NOW_CA = Episode("foster_care", datetime.date(2024, 1, 1))


def test_months_before_clamps_to_the_end_of_the_month():
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(TODAY, 12) == YEAR_AGO


# Rule 1: under 21 and in foster care in California now.
def test_foster_care_now_true_the_day_before_the_21st_birthday():
    # Given a youth turning 21 tomorrow, in foster care in California
    # Then the first rule matches, shown in words
    [match] = [m for m in populations_of_focus(date_of_birth=born(20, days_until_birthday=1), episodes=[FOSTER_NOW_CA], on=TODAY)
               if m.code == "cw_foster_care_now"]
    assert "Under age 21" in match.text and "California" in match.text


def test_foster_care_now_false_on_the_21st_birthday():
    assert "cw_foster_care_now" not in codes(born(21), FOSTER_NOW_CA)


def test_foster_care_now_false_when_placed_by_another_state():
    other_state = Episode("foster_care", datetime.date(2024, 1, 1), state="NV")
    result = codes(born(15), other_state)
    assert "cw_foster_care_now" not in result
    assert "cw_foster_care_past_12_months" in result  # care in another state still counts under rule 2


def test_foster_care_now_false_when_the_episode_ended_yesterday():
    ended = Episode("foster_care", datetime.date(2024, 1, 1), TODAY - datetime.timedelta(days=1))
    assert "cw_foster_care_now" not in codes(born(15), ended)


# Rule 2: under 21 and foster care (any state) within the last 12 months.
def test_past_foster_care_true_when_it_ended_exactly_12_months_ago():
    ended = Episode("foster_care", datetime.date(2020, 1, 1), YEAR_AGO, state="OR")
    assert codes(born(16), ended) == ["cw_foster_care_past_12_months"]


def test_past_foster_care_false_when_it_ended_12_months_and_a_day_ago():
    ended = Episode("foster_care", datetime.date(2020, 1, 1), YEAR_AGO - datetime.timedelta(days=1))
    assert codes(born(16), ended) == []


def test_past_foster_care_false_on_the_21st_birthday():
    ended = Episode("foster_care", datetime.date(2020, 1, 1), TODAY - datetime.timedelta(days=30))
    assert "cw_foster_care_past_12_months" not in codes(born(21), ended)


# Rule 3: aged out, up to 26, in foster care on the 18th birthday or later.
def test_aged_out_true_when_care_ended_on_the_18th_birthday():
    dob = born(25, days_until_birthday=1)
    ended = Episode("foster_care", datetime.date(2010, 1, 1), dob.replace(year=dob.year + 18))
    assert codes(dob, ended) == ["cw_aged_out_to_26"]


def test_aged_out_false_when_care_ended_the_day_before_the_18th_birthday():
    dob = born(22)
    ended = Episode("foster_care", datetime.date(2010, 1, 1), dob.replace(year=dob.year + 18) - datetime.timedelta(days=1))
    assert codes(dob, ended) == []


def test_aged_out_false_on_the_26th_birthday():
    dob = born(26)
    ended = Episode("foster_care", datetime.date(2010, 1, 1), dob.replace(year=dob.year + 19))
    assert codes(dob, ended) == []


def test_aged_out_does_not_apply_to_a_child_under_18():
    assert "cw_aged_out_to_26" not in codes(born(12), FOSTER_NOW_CA)


# Rule 4: under 18 and eligible for or in the Adoption Assistance Program.
def test_adoption_assistance_true_the_day_before_the_18th_birthday_even_if_only_eligible():
    aap = Episode("adoption_assistance", datetime.date(2015, 5, 1))
    assert codes(born(17, days_until_birthday=1), aap) == ["cw_adoption_assistance"]


def test_adoption_assistance_false_on_the_18th_birthday_and_after_it_ended():
    aap = Episode("adoption_assistance", datetime.date(2015, 5, 1))
    assert codes(born(18), aap) == []
    ended = Episode("adoption_assistance", datetime.date(2015, 5, 1), TODAY - datetime.timedelta(days=1))
    assert codes(born(10), ended) == []


# Rule 5: under 18 and Family Maintenance now or within the last 12 months.
def test_family_maintenance_true_now_and_when_it_ended_exactly_12_months_ago():
    assert codes(born(9), Episode("family_maintenance", datetime.date(2026, 6, 1))) == ["cw_family_maintenance"]
    assert codes(born(9), Episode("family_maintenance", datetime.date(2025, 1, 1), YEAR_AGO)) == ["cw_family_maintenance"]


def test_family_maintenance_false_a_day_beyond_12_months_or_on_the_18th_birthday():
    assert codes(born(9), Episode("family_maintenance", datetime.date(2025, 1, 1), YEAR_AGO - datetime.timedelta(days=1))) == []
    assert codes(born(18), Episode("family_maintenance", datetime.date(2026, 6, 1))) == []


def test_an_episode_starting_in_the_future_does_not_count():
    assert codes(born(9), Episode("family_maintenance", TODAY + datetime.timedelta(days=1))) == []


@pytest.mark.parametrize("leap_dob, expected", [(datetime.date(2008, 2, 29), [])])
def test_leap_day_birthday_turns_18_on_1_march(leap_dob, expected):
    aap = Episode("adoption_assistance", datetime.date(2015, 5, 1))
    on = datetime.date(2026, 3, 1)
    assert [m.code for m in populations_of_focus(date_of_birth=leap_dob, episodes=[aap], on=on)] == expected
    assert [m.code for m in populations_of_focus(date_of_birth=leap_dob, episodes=[aap], on=on - datetime.timedelta(days=1))] == [
        "cw_adoption_assistance"]
