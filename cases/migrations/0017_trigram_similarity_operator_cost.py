"""Price pg_trgm's similarity, as a function and as the ``%`` operator (the function similarity_op), as
what it is: a trigram extraction and comparison of two strings, about a microsecond, not the cost of an
addition (COST 1) that pg_trgm declares. At COST 1 PostgreSQL chose plans that compare names one by one:
every name of the member search's dictionary rather than read its trigram indexes (10–14 ms against 1 ms at
10,000 members), every member of the table rather than the few hundred of a case manager's scope (27 ms
against 3 ms at 10,000 members). COST 100 is about their measured cost.

The functions belong to whoever created the extension. If that is not the role migrating (an extension
created beforehand by a superuser), the migration goes on with a warning naming the statements to run."""
from django.db import migrations

from carecoord.migration_operations import postgresql_sql

FUNCTIONS = ("similarity(text, text)", "similarity_op(text, text)")

SET_COST = """
DO $$
BEGIN
    %(statements)s
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'carecoord: run "%(statements)s" as the owner of pg_trgm, or the member search compares '
                  'names one by one instead of through its indexes';
END
$$;
"""


def set_cost(cost: int) -> str:
    return SET_COST % {"statements": " ".join(f"ALTER FUNCTION {function} COST {cost};" for function in FUNCTIONS)}


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_drop_member_name_trigram_indexes")]

    operations = [postgresql_sql(set_cost(100), set_cost(1))]
