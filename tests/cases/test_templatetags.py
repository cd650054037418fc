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

    text_subclass = type("Text", (str,), {})
    values = ("Reyes <i>\"&'", "Maria Reyes", mark_safe("<b>safe</b>"), text_subclass("a<b"), gettext_lazy("Nobody"), 7,
              2.5, None, "")
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


def test_form_field_writes_the_label_help_errors_and_widget_of_each_kind_of_field():
    import re

    from django import forms

    from cases.templatetags.carecoord_ui import form_field

    class Form(forms.Form):
        name = forms.CharField(label="Name <first>", help_text="As on the <b>Medi-Cal</b> card.", max_length=3)
        agree = forms.BooleanField(label="Agree")
        color = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect)
        note = forms.CharField(required=False, widget=forms.HiddenInput)

    form = Form({"name": "too long", "color": "x"})
    form.is_valid()
    name = form_field(form["name"], wrapper_class="filter-bar__field")
    # An invalid field is flagged on its wrapper, its label names the input and says it is required (escaped text),
    assert name.startswith('<div class="field field--invalid filter-bar__field">')
    assert '<label class="field__label" for="id_name">Name &lt;first&gt; <span class="field__required">(required)</span></label>' in name
    # its help text (HTML kept) and errors carry the ids the widget's aria-describedby names,
    assert '<div class="field__help" id="id_name_helptext">As on the <b>Medi-Cal</b> card.</div>' in name
    assert re.search(r'<ul class="errorlist" id="id_name_error"><li>Ensure this value has at most 3 characters[^<]*</li></ul>', name)
    assert 'aria-describedby="id_name_helptext id_name_error"' in name and 'aria-invalid="true"' in name
    assert "(required)" not in form_field(form["name"], hide_required=True)
    # a checkbox sits inside its label, a group of radios in a fieldset with a legend, a hidden field is its input alone.
    assert form_field(form["agree"]).startswith('<div class="field field--invalid field--check">\n<label for="id_agree"><input type="checkbox"')
    color = form_field(form["color"])
    assert '<fieldset aria-describedby="id_color_error">\n<legend class="field__label">Color <span' in color
    assert color.count('type="radio"') == 2 and color.endswith("</fieldset>\n</div>")
    assert form_field(form["note"]) == '<input type="hidden" name="note" id="id_note">'
