"""Price pg_trgm's ``%`` operator (the function similarity_op) as what it is: a trigram extraction and
comparison of two strings, about a microsecond, not the cost of an addition (COST 1) that pg_trgm declares.
At COST 1 PostgreSQL compared every name of the member search's dictionary one by one rather than reading
its trigram indexes: 10–14 ms against 1 ms at 10,000 members. COST 100 is about its measured cost.

The function belongs to whoever created the extension. If that is not the role migrating (an extension
created beforehand by a superuser), the migration goes on with a warning naming the statement to run."""
from django.db import migrations

SET_COST = """
DO $$
BEGIN
    ALTER FUNCTION similarity_op(text, text) COST %(cost)s;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'carecoord: run "ALTER FUNCTION similarity_op(text, text) COST %(cost)s" as the owner of '
                  'pg_trgm, or the member search compares names one by one instead of through its indexes';
END
$$;
"""


def operator_cost(cost: int):
    def set_cost(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(SET_COST % {"cost": cost}, params=None)

    return set_cost


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_drop_member_name_trigram_indexes")]

    operations = [migrations.RunPython(operator_cost(100), operator_cost(1))]
