"""CSV files opened in a spreadsheet never run a formula that came in as data (CSV injection)."""
import datetime
import io

from carecoord.spreadsheets import csv_writer, formula_safe


def test_text_starting_with_a_formula_character_is_made_text():
    for text in ("=1+1", "+1 cmd", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")'):
        assert formula_safe(text) == "'" + text
    for text in ("", "Reyes", "06001-2026-1", "a=b", "'=quoted"):
        assert formula_safe(text) == text


def test_the_writer_guards_every_text_cell_and_leaves_other_values_as_csv_writes_them():
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    line = writer.writerow(["=cmd|' /C calc'!A0", -3, 1.5, None, datetime.date(2026, 12, 4), "plain"])
    writer.writerows([["@x"], ["ok"]])
    assert buffer.getvalue().splitlines() == ["'=cmd|' /C calc'!A0,-3,1.5,,2026-12-04,plain", "'@x", "ok"]
    # writerow answers what csv's does (the length written), for streamed responses
    assert line == len(buffer.getvalue().splitlines()[0]) + 2
