"""Trigram indexes on the upper-cased names, which is what a case-insensitive "contains"
(``icontains``: ``UPPER(name) LIKE UPPER('%word%')``) compares, so the member search's
as-you-type match is served by an index instead of a scan of every visible member.
Nothing to do on SQLite."""
from django.db import migrations

INDEXES = (
    ("member_last_name_upper_trgm_idx", "UPPER(last_name::text)"),
    ("member_first_name_upper_trgm_idx", "UPPER(first_name::text)"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("cases", "Member")._meta.db_table
    for name, expression in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" USING gin (({expression}) gin_trgm_ops)')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_ecm_pathway")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
