"""Migration steps shared by the apps' migrations."""
from django.db import migrations


def postgresql_sql(forward_sql: str, backward_sql: str, **options) -> migrations.RunPython:
    """A step that runs ``forward_sql`` (``backward_sql`` when migrating back) on PostgreSQL and does
    nothing elsewhere: what these scripts add (triggers, exclusion constraints, GIN indexes, storage
    parameters, planner costs) has no SQLite counterpart, and the application says what stands in for it
    there. The script runs as written, without parameters, so a ``%`` in PL/pgSQL stays a ``%``.
    ``options`` go to ``RunPython`` (e.g. ``elidable``)."""

    def run(sql: str):
        def step(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return step

    return migrations.RunPython(run(forward_sql), run(backward_sql), **options)


def gin_indexes(table: str, indexes, *, storage: str = "") -> migrations.RunPython:
    """A step creating (and when migrating back, dropping) the GIN ``indexes`` (name, indexed expression
    with its operator class) on ``table``, on PostgreSQL only, with the storage parameters ``storage``
    (e.g. "fastupdate = off")."""
    with_storage = f" WITH ({storage})" if storage else ""
    create = ";\n".join(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" USING gin ({expression}){with_storage}'
                        for name, expression in indexes)
    drop = ";\n".join(f"DROP INDEX IF EXISTS {name}" for name, _expression in indexes)
    return postgresql_sql(create, drop)
