"""The badge tags of carecoord_ui: the status in words, with the badge's modifier; labels escaped."""
from cases.templatetags.carecoord_ui import status_badge, target_badge


def test_status_badge_says_the_status_in_words_and_takes_a_label():
    assert status_badge("due-today") == '<span class="badge badge--due-today">Due today</span>'
    assert status_badge("due_today") == status_badge("due-today")
    assert status_badge("overdue", label="Overdue by 3 days") == '<span class="badge badge--overdue">Overdue by 3 days</span>'
    assert status_badge("paused") == '<span class="badge badge--neutral">paused</span>'
    assert status_badge("missed", label="<b>late</b>") == '<span class="badge badge--missed">&lt;b&gt;late&lt;/b&gt;</span>'


def test_target_badge_tells_below_on_target_and_nothing_due_apart():
    assert target_badge(True, 0.5) == '<span class="badge badge--overdue">Below target</span>'
    assert target_badge(False, 0.95) == '<span class="badge badge--met">On target</span>'
    assert target_badge(False, None) == '<span class="badge badge--neutral">Nothing due</span>'


def test_the_fast_markup_writes_what_djangos_format_html_writes():
    # Given values of every kind a row shows: text to escape, safe HTML, lazy translations, numbers, None
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import SafeString, mark_safe
    from django.utils.translation import gettext_lazy

    from carecoord import markup

    values = ("Reyes <i>\"&'", mark_safe("<b>safe</b>"), gettext_lazy("Nobody"), 7, 2.5, None, "")
    template = "<td>{}</td>" * len(values)
    # Then the fast helpers write the same text, marked safe, as Django's
    assert markup.format_html(template, *values) == format_html(template, *values)
    assert isinstance(markup.format_html(template, *values), SafeString)
    rows = [values, tuple(reversed(values))]
    assert markup.format_html_join("\n", template, rows) == format_html_join("\n", template, rows)



def test_the_tables_date_format_writes_what_djangos_writes():
    # Given dates with one- and two-digit days and months, and a year under 1000
    import datetime

    from django.utils.dateformat import format as date_format

    from cases.templatetags.carecoord_ui import _date_format

    days = [datetime.date(2019, 3, 7), datetime.date(2026, 11, 23), datetime.date(987, 1, 31)]
    # When written in the short formats the row tags use (and Django's own for others, escapes and braces)
    for format_string in ("m/d/Y", "d/m/Y", "j.n.Y", "Y-m", "N j, Y", r"d \d\e m", "{m}"):
        writer = _date_format(format_string)
        # Then each is the text Django writes
        assert [writer(day) for day in days] == [date_format(day, format_string) for day in days], format_string
    assert _date_format("m/d/Y")(days[2]) == "01/31/0987"
