"""SQL expressions Django's ORM does not write, shared by the apps' queries."""
from django.db.models import BooleanField, Func


class EqualsAny(Func):
    """``<expression> = ANY(<array>)``, which Django's lookups do not write. Given the ids of a scope as
    ``ARRAY(SELECT …)``, PostgreSQL reads those rows by id: it takes an array it has not seen for ten
    values, where ``IN (SELECT …)`` or ``EXISTS`` let it weigh a scan of the whole table."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()
