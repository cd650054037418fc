"""The SQL expressions the ORM does not write (carecoord/expressions.py), on PostgreSQL."""
import pytest
from django.contrib.postgres.fields import ArrayField
from django.db.models import F, IntegerField, TextField, Value

from carecoord.expressions import ArrayParam, EqualsAny
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
