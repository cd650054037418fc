"""The compliance dashboard's figure rows (``figure_rows``): label, status, localized rate and a link per count."""
import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import localize

from cases.templatetags.carecoord_ui import _number_format, figure_rows


def _row(**changes):
    return {"rule_title": "CCS medical eligibility", "month": datetime.date(2026, 10, 1), "team__name": "Nurses <A>",
            "owner_name": "", "below_target": True, "on_time_rate": 0.651, "on_time_percent": 65.1, "due": 1200,
            "met_late": 3, "missed": 40, "open": 7, "query": "rule=ccs.medical_eligibility&team=4", **changes}


def test_each_count_links_to_the_deadlines_behind_it_with_its_outcome():
    html = figure_rows([_row()], "team", "/dashboard/cases/")
    for outcome, count in (("due", 1200), ("met_late", 3), ("missed", 40), ("open", 7)):
        assert f'<a href="/dashboard/cases/?rule=ccs.medical_eligibility&amp;team=4&amp;outcome={outcome}">{count}</a>' in html
    # Names are escaped; the status is the badge
    assert "Nurses &lt;A&gt;" in html and "<A>" not in html
    assert '<span class="badge badge--overdue">Below target</span>' in html


def test_labels_per_grouping_and_the_empty_ones():
    assert "<td>2026-10</td>" in figure_rows([_row()], "month", "/d/")
    assert "<td>No team</td>" in figure_rows([_row(team__name=None)], "team", "/d/")
    assert "<td>Nobody assigned</td>" in figure_rows([_row()], "owner", "/d/")
    nothing_due = figure_rows([_row(below_target=False, on_time_rate=None, on_time_percent=None)], "owner", "/d/")
    assert "<td>—</td>" in nothing_due and "Nothing due" in nothing_due


def test_rates_and_words_follow_the_language():
    with translation.override("es"):
        html = figure_rows([_row(owner_name="")], "owner", "/d/")
    assert "<td>65,1%</td>" in html
    assert "Nobody assigned" not in html and "Below target" not in html


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("thousands", [False, True])
def test_a_tables_numbers_are_written_as_localize_writes_them(settings, language, thousands):
    # Given the separators looked up once for a table, in a language, with or without thousands grouped
    settings.USE_THOUSAND_SEPARATOR = thousands
    with translation.override(language):
        number = _number_format()
        # Then every kind of figure the dashboard shows reads as Django's localize writes it, a value seen again
        # too (each is written once a table), and a float as a float beside an int or a Decimal of the same value
        for value in (0, 7, 1200, 1234567, 65.1, 100, 100.0, Decimal("100"), 0.0, 0.5, Decimal("12345.60"), 7, 100.0, 100):
            assert number(value) == localize(value), value
