"""On PostgreSQL, refuse overlapping coverage periods of one member (an exclusion constraint).

SQLite, the laptop default, has no exclusion constraints; there the partial unique
constraint on open-ended coverage and ``coverage_add``'s check stand in.
"""
from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE cases_coverage ADD CONSTRAINT coverage_no_overlap
  EXCLUDE USING gist (member_id WITH =, daterange(start_date, end_date, '[]') WITH &&);
"""
DROP = "ALTER TABLE cases_coverage DROP CONSTRAINT IF EXISTS coverage_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
