"""Form widgets shared by the apps."""
from __future__ import annotations

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe

from carecoord.markup import escape, format_html, format_html_join


def _attributes(attrs: dict) -> str:
    """Attributes as Django's ``attrs.html`` writes them: in order, ``True`` bare, ``False`` left out."""
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False))


class NormalizedChoices(BaseChoiceIterator):
    """Choices already as Django keeps them, (value, label) pairs without groups, for a filter built from
    rows on each request. Given a list, a choice field normalizes it pair by pair (``normalize_choices``: a
    pass to check it holds no text, then a call for each label), which for the five hundred staff of a
    large county's case manager filter was a twentieth of the Cases page; Django keeps a choice iterator
    as it is, and iterates it where it would the list."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def __iter__(self):
        return iter(self.pairs)


class DirectSelect(forms.Select):
    """A select that writes its options here, for the filters of the pages people reload all day.

    Django builds a context dictionary and includes a template for each option; for the five hundred
    staff of a large county's case manager filter that was a third of the Cases page, and the three short
    selects beside it took another millisecond. The HTML is the same as Django's: the select's own
    attributes come from Django's context, each option is chosen as Django chooses it (the first matching
    value, unless several may be). Option groups are left to Django's template."""

    def render(self, name, value, attrs=None, renderer=None):
        # Read once, and not with list(), which asks a model choice field's choices for their len(): a COUNT.
        choices = [choice for choice in self.choices]
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]  # without ChoiceWidget's option dicts
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        chosen, has_selected, options = widget["value"], False, []
        for option_value, label in choices:
            option_value = "" if option_value is None else option_value
            selected = (not has_selected or self.allow_multiple_selected) and str(option_value) in chosen
            has_selected |= selected
            options.append(f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>'
                           f"{escape(label)}</option>")
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"], _attributes(widget["attrs"]),
                           mark_safe("".join(options)))  # each value and label escaped above
