"""Template helpers of the case manager's app: the menu bar, time left on a clock, the long tables' rows,
other apps' sections."""
from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal

from django import template
from django.dispatch import receiver
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import formats, numberformat, translation
from django.utils.autoreload import file_changed
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecoord.clocks.selectors import time_left as clock_time_left
from carecoord.links import pk_url
from carecoord.markup import escape, format_html, format_html_join
from cases.models import Case, Program

register = template.Library()


@register.filter
def time_left(due_at):
    """``"2 days left"`` or ``"overdue by 5 hours"`` (the clocks' own wording, translated)."""
    if not due_at:
        return ""
    return clock_time_left(due_at)


@register.simple_tag(takes_context=True)
def main_nav(context):
    """The menu bar (``includes/main_nav.html``). It shows the same to everyone of one role and organization
    type at one place in the app, so each such menu is rendered once per process (``_main_nav``): its dozen
    links, each a ``reverse()`` and a translation, were a twentieth of every page."""
    request, user = context["request"], context["user"]
    match = request.resolver_match
    return _main_nav(translation.get_language(), get_script_prefix(), user.role,
                     user.organization.type if user.organization_id else "", user.has_perm("cases.view_dashboard"),
                     context.get("current_nav") or "", match.namespace if match else "")


@receiver(file_changed, dispatch_uid="carecoord_ui_main_nav_file_changed")
def _forget_menus(sender, file_path, **kwargs):
    """The development server's reloader saw a template or translation change: render the menus anew, as
    Django's template loaders do (a change to Python code restarts the server)."""
    if file_path.suffix != ".py":
        _main_nav.cache_clear()


@functools.lru_cache(maxsize=1024)
def _main_nav(language: str | None, script_prefix: str, role: str, organization_type: str, dashboards: bool,
              current_nav: str, namespace: str) -> str:
    # ``language`` and ``script_prefix`` are only part of the key: the active ones are what translate and link.
    return render_to_string("includes/main_nav.html", {
        "role": role, "organization_type": organization_type, "dashboards": dashboards, "current_nav": current_nav,
        "namespace": namespace})


@register.simple_tag(takes_context=True)
def render_section(context, block):
    """Render another app's registered section template with its own context."""
    try:
        return render_to_string(block["template"], block["context"], request=context.get("request"))
    except TemplateDoesNotExist:
        return ""


def _badge(modifier: str, text) -> str:
    return format_html('<span class="badge badge--{}">{}</span>', modifier, text)


# A figure's standing against its on-time target → the badge's CSS modifier and its words.
_TARGET_BADGES = {
    "below": ("overdue", gettext_lazy("Below target")),
    "on": ("met", gettext_lazy("On target")),
    "nothing_due": ("neutral", gettext_lazy("Nothing due")),
}


def _target_standing(below_target: bool, rate) -> str:
    if below_target:
        return "below"
    return "on" if rate is not None else "nothing_due"


@register.simple_tag
def target_badge(below_target: bool, rate):
    """A figure against its on-time target: below it, on it, or nothing due. A tag rather than an
    included template: the dashboard shows it on every row of its tables."""
    return _badge(*_TARGET_BADGES[_target_standing(below_target, rate)])


def _number_format() -> Callable[[int | float | Decimal], str]:
    """:func:`django.utils.formats.localize` for the numbers of one table: the active language's
    separators are looked up once, where ``localize`` looks them up again for every number (a county's
    dashboard writes some 3,000, and the lookups were a third of its figure rows' time)."""
    language = translation.get_language()
    decimal_separator, grouping, thousand_separator = (
        formats.get_format(name, language) for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR"))

    # The same counts recur across a table's cells (a county's dashboard writes some 800 numbers, most of them
    # small), so each is written once a table; typed, so that 100.0 is not written as 100 was.
    @functools.lru_cache(maxsize=None, typed=True)
    def number(value: int | float | Decimal) -> str:
        return numberformat.format(value, decimal_separator, grouping=grouping, thousand_sep=thousand_separator,
                                   use_l10n=True)

    return number


# Django's date format characters that are a date's own numbers, written as Django writes them.
_DATE_NUMBERS = {"d": "{0.day:02d}", "j": "{0.day}", "m": "{0.month:02d}", "n": "{0.month}", "Y": "{0.year:04d}"}


def _date_format(format_string: str) -> Callable[[datetime.date], str]:
    """:func:`django.utils.dateformat.format` with ``format_string``, for the dates of one table. A short date
    format (``m/d/Y``, ``d/m/Y``) is numbers and separators, written here by ``str.format`` in a tenth of the
    time Django takes to look up each character's method for each date (a twentieth of the Cases page); any
    other format is Django's."""
    if "\\" in format_string or any(char.isalpha() and char not in _DATE_NUMBERS for char in format_string):
        return lambda day: date_format(day, format_string)
    template = "".join(_DATE_NUMBERS.get(char) or char.replace("{", "{{").replace("}", "}}") for char in format_string)
    return template.format


_FIGURE_ROW = ('<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td>'
               '<td><a href="{}&amp;outcome=due">{}</a></td><td><a href="{}&amp;outcome=met_late">{}</a></td>'
               '<td><a href="{}&amp;outcome=missed">{}</a></td><td><a href="{}&amp;outcome=open">{}</a></td></tr>')


@register.simple_tag
def figure_rows(rows, key: str, drilldown: str):
    """The rows of a compliance figure table: per rule and month, team (``key`` "team") or worker
    ("owner"), each count a link to the deadlines behind it (``row["query"]``). Built here, not in a
    template: the dashboard shows over a hundred of these rows, and the template language's twenty
    lookups a row were half the page's rendering (27 → 13 ms for a supervisor of the largest county at 1M members)."""
    month_text = _date_format("Y-m")

    def label(row) -> str:
        if key == "month":
            return month_text(row["month"])
        if key == "team":
            return row["team__name"] or _("No team")
        return row["owner_name"] or _("Nobody assigned")

    badges = {standing: _badge(*badge) for standing, badge in _TARGET_BADGES.items()}  # translated once a table
    number = _number_format()

    def cells(row):
        rate = row["on_time_percent"]
        link = format_html("{}?{}", drilldown, row["query"])  # escaped once for the row's four links
        return (row["rule_title"], label(row), badges[_target_standing(row["below_target"], row["on_time_rate"])],
                "—" if rate is None else f"{number(rate)}%",
                link, number(row["due"]), link, number(row["met_late"]), link, number(row["missed"]),
                link, number(row["open"]))

    return format_html_join("\n", _FIGURE_ROW, (cells(row) for row in rows))


# status → (the badge's CSS modifier, its text when no label is given); hyphenated forms accepted too.
_STATUS_BADGES = {
    "overdue": ("overdue", gettext_lazy("Overdue")),
    "due_today": ("due-today", gettext_lazy("Due today")),
    "this_week": ("this-week", gettext_lazy("This week")),
    "later": ("later", gettext_lazy("Later")),
    "met": ("met", gettext_lazy("Met")),
    "missed": ("missed", gettext_lazy("Missed")),
}
_STATUS_BADGES["due-today"] = _STATUS_BADGES["due_today"]
_STATUS_BADGES["this-week"] = _STATUS_BADGES["this_week"]


@register.simple_tag
def status_badge(status, label=None):
    """A deadline's or clock's status as a badge: ``{% status_badge "overdue" %}``,
    ``{% status_badge d.badge label=d.time_left %}``. The status is said in words (and a glyph from
    the stylesheet), never by colour alone. A tag rather than an included template: the work queue
    shows one on hundreds of rows."""
    modifier, text = _STATUS_BADGES.get(status, ("neutral", None))
    return _badge(modifier, label or text or status)


@register.simple_tag
def form_field(field, wrapper_class: str = "", hide_required: bool = False):
    """One bound form field with its label, help text and inline errors: ``{% form_field form.date_of_birth %}``;
    ``wrapper_class`` adds classes to the wrapping ``<div class="field">``, ``hide_required`` leaves out the
    "(required)" marker.

    Accessibility: Django renders the widget with ``aria-invalid="true"`` when the field has errors and
    ``aria-describedby="<auto_id>_helptext <auto_id>_error"``; the help text and the error list carry exactly
    those ids. A widget of several inputs (radio and checkbox lists) is wrapped in a ``<fieldset>`` with a
    ``<legend>``. Written here, not as an included template: the four filter fields of the Cases page, each
    through the template's two dozen lookups and tests, were a third of the page's template time."""
    if field.is_hidden:
        return format_html("{}", field)
    errors, widget_type, auto_id = field.errors, field.widget_type, field.auto_id
    classes = " ".join(name for name, shown in (("field", True), ("field--invalid", errors),
                                                ("field--check", widget_type == "checkbox"), (wrapper_class, wrapper_class))
                       if shown)
    required = (format_html(' <span class="field__required">({})</span>', _("required"))
                if field.field.required and not hide_required else "")
    help_text = (format_html('<div class="field__help"{}>{}</div>', _id_attribute(auto_id, "_helptext"),
                             SafeString(field.help_text)) if field.help_text else "")
    error_list = (format_html('<ul class="errorlist"{}>{}</ul>', _id_attribute(auto_id, "_error"),
                              format_html_join("", "<li>{}</li>", ((error,) for error in errors))) if errors else "")
    if field.use_fieldset:
        described_by = field.aria_describedby
        inner = format_html('<fieldset{}>\n<legend class="field__label">{}{}</legend>\n{}{}{}\n</fieldset>',
                            format_html(' aria-describedby="{}"', described_by) if described_by else "",
                            field.label, required, help_text, error_list, field)
    elif widget_type == "checkbox":
        inner = format_html('<label for="{}">{} <span>{}{}</span></label>\n{}{}', field.id_for_label, field, field.label,
                            required, help_text, error_list)
    else:
        inner = format_html('<label class="field__label" for="{}">{}{}</label>\n{}{}\n{}', field.id_for_label, field.label,
                            required, help_text, error_list, field)
    return format_html('<div class="{}">\n{}\n</div>', classes, inner)


def _id_attribute(auto_id, suffix: str) -> str:
    return format_html(' id="{}{}"', auto_id, suffix) if auto_id else ""


def _muted(text) -> str:
    return format_html('<span class="muted">{}</span>', text)


@register.simple_tag
def queue_rows(rows, show_owner: bool = False):
    """The rows of a work queue bucket, from what ``cases.views._deadline_rows`` worked out for each
    deadline. Built here, not in a template, as ``figure_rows`` is: a case manager's queue shows up to
    200 rows, and the template language's dozen lookups and escapes a row were half the page's time.
    What rows share (a program's badge, a rule's words, "3 days left") is escaped once a page."""
    programs, _statuses = _case_labels()
    program_badges = {key: _badge("program", label) for key, label in programs.items()}
    nobody = _muted(_("Nobody"))
    missed = format_html(" {}", status_badge("missed"))
    shared_text: dict[str, str] = {}

    def text(value) -> str:
        if value not in shared_text:
            shared_text[value] = escape(value)
        return shared_text[value]

    def row(d) -> str:
        member = format_html('<a href="{}">{}</a>', d["link"], d["member"]) if d["link"] else "—"
        program = "—"
        if d["case_id"]:
            program = program_badges.get(d["program"]) or _badge("program", d["program"])
        owner = format_html("<td>{}</td>", d["owner_name"] or nobody) if show_owner else ""
        # The deadline's id is an integer, and the rest is escaped above: written as it is.
        return _QUEUE_ROW.format(d["id"], member, program, text(d["rule"]), missed if d["status"] == "missed" else "",
                                 " text-danger" if d["bucket"] == "overdue" else "", text(d["time_left"]),
                                 text(d["due_iso"]), text(d["due_display"]), owner)

    return SafeString("\n".join(row(d) for d in rows))


_QUEUE_ROW = ('<tr id="deadline-{}"><th scope="row">{}</th><td>{}</td><td>{}{}</td><td class="nowrap{}">{}</td>'
              '<td class="nowrap"><time datetime="{}">{}</time></td>{}</tr>')


def _case_labels() -> tuple[dict[str, str], dict[str, str]]:
    """The programs' and case statuses' names in the active language (read them, do not change them)."""
    return _case_labels_in(translation.get_language())


@functools.lru_cache(maxsize=16)
def _case_labels_in(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    # Translated once a language rather than once a row, or once a table (the work queue has four): they are lazy
    # translations, and a model's ``get_FOO_display`` rebuilds its choices at every call. ``language`` is only
    # part of the cache key: the active language is what translates.
    return tuple({value: str(label) for value, label in choices} for choices in (Program.choices, Case.Status.choices))


@register.simple_tag
def case_rows(cases, show_deadlines: bool = False):
    """The rows of the Cases page: member, date of birth, program, status, case number, case manager and,
    for staff, the next deadline (``case.next_deadline`` as the view set it: its rule in words, the time left,
    whether it is overdue). Built here, as ``queue_rows`` is: the template language's lookups and a
    ``get_FOO_display`` per row (which rebuilds its choices at every call) were two thirds of the page at 1M
    members."""
    programs, statuses = _case_labels()
    nobody, none_open = _muted(_("Nobody")), _muted(_("None open"))

    def next_deadline(case) -> str:
        d = case.next_deadline
        if not d:
            return format_html("<td>{}</td>", none_open)
        return format_html('<td>{} · <span class="nowrap{}">{}</span></td>', d["plain"], " text-danger" if d["overdue"] else "",
                     d["time_left"])

    # Each case's link and date of birth without a reverse() and a format lookup per row.
    case_page = pk_url("case_detail")
    birth_text = _date_format(formats.get_format("SHORT_DATE_FORMAT"))

    def row(case) -> str:
        member, manager = case.member, case.primary_case_manager
        birth = member.date_of_birth
        return format_html(
            '<tr id="case-{}"><th scope="row"><a href="{}">{}, {}</a></th>'
            '<td class="nowrap"><time datetime="{}">{}</time></td>'
            '<td><span class="badge badge--program">{}</span></td><td>{}</td><td class="nowrap">{}</td><td>{}</td>{}</tr>',
            case.pk, case_page(case.pk), member.last_name, member.first_name,
            birth.isoformat() if birth else "", birth_text(birth) if birth else "",
            programs.get(case.program, case.program), statuses.get(case.status, case.status), case.case_number or "—",
            str(manager) if manager else nobody,
            next_deadline(case) if show_deadlines else "")

    return format_html_join("\n", "{}", ((row(case),) for case in cases))


@register.simple_tag
def member_rows(members):
    """The rows of the member search: name, date of birth, CIN, county and, as badges linking to them, the
    member's cases the user may see (``member.visible_cases``, as the view prefetched them). Built here, as
    ``case_rows`` is: the template's loops, lookups and ``get_FOO_display`` calls were a third of the page."""
    programs, statuses = _case_labels()
    member_page, case_page = pk_url("member_detail"), pk_url("case_detail")
    birth_text = _date_format(formats.get_format("SHORT_DATE_FORMAT"))
    no_case = _muted("—")

    def case_badges(member) -> str:
        if not member.visible_cases:
            return no_case
        return format_html_join("", '<a class="badge badge--program" href="{}">{} · {}</a> ', (
            (case_page(case.pk), programs.get(case.program, case.program), statuses.get(case.status, case.status))
            for case in member.visible_cases))

    def row(member) -> str:
        name = f"{member.last_name}, {member.first_name}" + (f" {member.middle_name}" if member.middle_name else "")
        birth = member.date_of_birth
        return format_html('<tr><th scope="row"><a href="{}">{}</a></th><td class="nowrap"><time datetime="{}">{}</time></td>'
                     '<td class="nowrap">{}</td><td>{}</td><td>{}</td></tr>',
                     member_page(member.pk), name, birth.isoformat(), birth_text(birth), member.cin,
                     str(member.county), case_badges(member))

    return format_html_join("\n", "{}", ((row(member),) for member in members))
