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


def test_the_row_tags_html_writes_what_format_html_writes():
    # Given values of every kind a row shows: text to escape, safe HTML, lazy translations, numbers, None
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import SafeString, mark_safe
    from django.utils.translation import gettext_lazy

    from cases.templatetags.carecoord_ui import _html, _html_rows

    values = ("Reyes <i>\"&'", mark_safe("<b>safe</b>"), gettext_lazy("Nobody"), 7, 2.5, None, "")
    template = "<td>{}</td>" * len(values)
    # Then the fast helpers write the same text, marked safe, as Django's
    assert _html(template, *values) == format_html(template, *values)
    assert isinstance(_html(template, *values), SafeString)
    rows = [values, tuple(reversed(values))]
    assert _html_rows(template, rows) == format_html_join("\n", template, rows)

