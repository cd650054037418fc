"""Form widgets shared by the apps."""
from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join


def _attributes(attrs: dict) -> str:
    """Attributes as Django's ``attrs.html`` writes them: in order, ``True`` bare, ``False`` left out."""
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False))


class LongSelect(forms.Select):
    """A select for a long list (an organization's staff, its teams) that writes its options here.

    Django's template includes one template per option; for the hundred people of a large county's
    case manager filter that was a tenth of the Cases page. The HTML is the same as Django's; option
    groups are left to Django's template."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _choices, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '\n  <option value="{}"{}>{}</option>',
            ((option["value"], _attributes(option["attrs"]), option["label"])
             for _name, choices, _index in widget["optgroups"] for option in choices))
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"], _attributes(widget["attrs"]), options)
