"""SQL expressions Django's ORM does not write, shared by the apps' queries."""
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import F, Field, Lookup, Q, Value


class EqualsAny(Lookup):
    """``<expression> = ANY(<array>)``, which Django's lookups do not write. Given the ids of a scope as
    ``ARRAY(SELECT …)``, PostgreSQL reads those rows by id: it takes an array it has not seen for ten
    values, where ``IN (SELECT …)`` or ``EXISTS`` let it weigh a scan of the whole table.

    A lookup rather than a function: ``filter()`` takes a lookup as the condition it is, where it wraps a
    boolean function in ``= true`` and resolves it a second time when the query is compiled, which for an
    ``ARRAY(SELECT …)`` of a union cloned the whole subquery again (a tenth of a case list's time)."""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


class Holds(Lookup):
    """``filter(Holds(condition))`` writes what ``filter(condition)`` writes for a boolean expression such as
    ``Exists``: ``WHERE EXISTS (…)``. As a lookup it is resolved once, with the query; ``filter()`` wraps any
    other condition in ``= true``, which resolves it again when the query is compiled, cloning the whole
    subquery (for a plan's visibility test, a twentieth of a Members API call)."""

    prepare_rhs = False

    def __init__(self, condition):
        super().__init__(condition, True)

    def as_sql(self, compiler, connection):
        return compiler.compile(self.lhs)


class ArrayParam(Value):
    """A list as one array parameter, ``%s::<type>[]``, which the database driver adapts whole (PostgreSQL only).
    ``Value(values, output_field=ArrayField(...))`` writes the same SQL but first prepares each element through the
    field, four calls an element: for a case manager's seventy listed cases, a tenth of compiling each query that
    names them."""

    def __init__(self, values, base_field):
        super().__init__(list(values), output_field=ArrayField(base_field))

    def as_sql(self, compiler, connection):
        return self.output_field.get_placeholder(self.value, compiler, connection), [self.value]


def one_of(name: str, values, base_field: Field) -> Q:
    """``<name>`` is one of ``values``: on PostgreSQL ``<name> = ANY(%s)`` with the values as one array parameter
    (:class:`ArrayParam`), where ``<name>__in`` builds a placeholder and prepares each value through the field on
    every call (for a case manager's seventy listed cases, a tenth of their one-case call). None given is ``IN ()``,
    which the ORM leaves out of an OR rather than send; other databases (SQLite's quick start) have no arrays."""
    values = list(values)
    if not values or connection.vendor != "postgresql":
        return Q(**{f"{name}__in": values})
    return Q(EqualsAny(F(name), ArrayParam(values, base_field)))
