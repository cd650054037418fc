"""Typo-tolerant member name search on PostgreSQL: the pg_trgm extension and GIN trigram
indexes on member names. Nothing to do on SQLite (the search falls back to icontains)."""
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = (
    ("member_last_name_trgm_idx", "last_name gin_trgm_ops"),
    ("member_first_name_trgm_idx", "first_name gin_trgm_ops"),
    ("member_full_name_trgm_idx", "(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) gin_trgm_ops"),
)


def gin_indexes(model_name, indexes, *, storage=""):
    """A RunPython operation creating (and on reverse dropping) GIN ``indexes`` (name, expression) on the
    table of the cases app's ``model_name``, on PostgreSQL only, with the storage parameters ``storage``
    (e.g. "fastupdate = off"). Later migrations add trigram indexes with it too."""
    with_storage = f" WITH ({storage})" if storage else ""

    def create_indexes(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("cases", model_name)._meta.db_table
        for name, expression in indexes:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" USING gin ({expression}){with_storage}')

    def drop_indexes(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _expression in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create_indexes, drop_indexes)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_careplanintervention_referral_and_more")]

    operations = [
        TrigramExtension(),
        gin_indexes("Member", INDEXES),
    ]
