"""The SQL expressions the ORM does not write (carecoord/expressions.py), on PostgreSQL."""
import pytest
from django.contrib.postgres.fields import ArrayField
from django.db.models import F, IntegerField, Q, TextField, Value

from carecoord.expressions import ArrayParam, EqualsAny, one_of
from cases.models import Case
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db, requires_postgres()]


def _sql(queryset):
    return queryset.query.get_compiler("default").as_sql()


@pytest.mark.parametrize("values,base_field", [([3, 1, 2], IntegerField()), (["a", "b'c"], TextField())])
def test_an_array_parameter_is_what_value_writes_without_preparing_each_element(values, base_field, monkeypatch):
    ours = Case.objects.filter(EqualsAny(F("pk"), ArrayParam(values, base_field)))
    djangos = Case.objects.filter(EqualsAny(F("pk"), Value(values, output_field=ArrayField(base_field))))
    # The same SQL and parameters as Value with an ArrayField
    assert _sql(ours) == _sql(djangos)
    # without the field's preparation of each element
    prepared = []
    real = type(base_field).get_db_prep_value
    monkeypatch.setattr(type(base_field), "get_db_prep_value",
                        lambda self, value, *args, **kwargs: prepared.append(value) or real(self, value, *args, **kwargs))
    _sql(ours)
    assert not set(values) & set(prepared)


def test_an_array_parameter_finds_the_rows_it_names(case_a, case_b):
    assert list(Case.objects.filter(EqualsAny(F("pk"), ArrayParam([case_b.pk, 0], IntegerField())))) == [case_b]
    assert not Case.objects.filter(EqualsAny(F("pk"), ArrayParam([], IntegerField()))).exists()


def test_one_of_is_one_array_parameter_and_means_in(case_a, case_b):
    among = one_of("pk", [case_b.pk, 0], IntegerField())
    sql, params = _sql(Case.objects.filter(among))
    assert "= ANY(" in sql and " IN " not in sql and [case_b.pk, 0] in params
    assert list(Case.objects.filter(among)) == list(Case.objects.filter(pk__in=[case_b.pk, 0])) == [case_b]
    assert list(Case.objects.exclude(among)) == list(Case.objects.exclude(pk__in=[case_b.pk, 0])) == [case_a]
    # none given: no case is among them, and an OR leaves the arm out, as for IN ()
    assert not Case.objects.filter(one_of("pk", [], IntegerField())).exists()
    assert list(Case.objects.filter(one_of("pk", [], IntegerField()) | Q(pk=case_a.pk))) == [case_a]
