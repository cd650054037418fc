"""``DirectSelect`` writes the same select as Django's template does, without a template per option."""
import re

from django import forms

from carecoord.widgets import DirectSelect, NormalizedChoices


def _same_html(html: str) -> str:
    return re.sub(r"\n+\s*", "\n", html.strip())


def test_a_long_select_is_djangos_select_without_the_includes():
    choices = [("", "Anyone"), ("nobody", "Nobody assigned"), *((str(pk), f"Worker <{pk}> & co") for pk in range(100))]
    attrs = {"id": "id_manager", "required": True, "disabled": False, "data-x": 'say "hi"'}
    for value in ("", "42", ["7"]):
        ours = DirectSelect(choices=choices).render("manager", value, attrs)
        django = forms.Select(choices=choices).render("manager", value, attrs)
        assert _same_html(ours) == _same_html(django)
    # and, as Django, only the first option of a repeated value is selected, and None is written as ""
    repeated = [(None, "None"), ("1", "First"), ("1", "Again"), (2, "Two")]
    for value in ("1", "", 2, None):
        assert (_same_html(DirectSelect(choices=repeated).render("x", value))
                == _same_html(forms.Select(choices=repeated).render("x", value)))
    html = DirectSelect(choices=choices).render("manager", "42", attrs)
    assert '<option value="42" selected>Worker &lt;42&gt; &amp; co</option>' in html
    assert ' required' in html and "disabled" not in html and 'data-x="say &quot;hi&quot;"' in html


def test_option_groups_are_left_to_djangos_template():
    choices = [("Sacramento", [("1", "Team 1"), ("2", "Team 2")]), ("Placer", [("3", "Team 3")])]
    html = DirectSelect(choices=choices).render("team", "2", {"id": "id_team"})
    assert _same_html(html) == _same_html(forms.Select(choices=choices).render("team", "2", {"id": "id_team"}))
    assert '<optgroup label="Placer">' in html


def test_normalized_choices_are_kept_as_given_and_work_as_the_list_would():
    pairs = [("", "Anyone"), ("nobody", "Nobody assigned"), *((str(pk), f"Worker {pk}") for pk in range(50))]

    def form_with(choices):
        class Filter(forms.Form):
            manager = forms.ChoiceField(required=False, widget=DirectSelect)

        def build(data=None):
            form = Filter(data)
            form.fields["manager"].choices = choices
            return form
        return build

    kept, listed = form_with(NormalizedChoices(pairs)), form_with(pairs)
    # Given the iterator, the field and its widget keep that very object: Django normalizes a list pair by pair
    choices = NormalizedChoices(pairs)
    form = kept()
    form.fields["manager"].choices = choices
    assert form.fields["manager"].choices is choices and form.fields["manager"].widget.choices is choices
    # and it validates, refuses and renders as the list does, more than once
    for data in ({"manager": "7"}, {"manager": "nobody"}, {"manager": "99"}, {}):
        ours, django = kept(data), listed(data)
        assert ours.is_valid() == django.is_valid() and ours.errors == django.errors
        assert str(ours["manager"]) == str(django["manager"]) == str(ours["manager"])
    chosen = kept({"manager": "7"})
    assert chosen.is_valid() and chosen.cleaned_data == {"manager": "7"}
    assert not kept({"manager": "99"}).is_valid()
