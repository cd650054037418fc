"""On PostgreSQL, refuse overlapping coverage periods of one member (an exclusion constraint).

SQLite, the laptop default, has no exclusion constraints; there the partial unique
constraint on open-ended coverage and ``coverage_add``'s check stand in.
"""
from django.db import migrations

from carecoord.migration_operations import postgresql_sql

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE cases_coverage ADD CONSTRAINT coverage_no_overlap
  EXCLUDE USING gist (member_id WITH =, daterange(start_date, end_date, '[]') WITH &&);
"""
DROP = "ALTER TABLE cases_coverage DROP CONSTRAINT IF EXISTS coverage_no_overlap;"


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [postgresql_sql(CREATE, DROP)]
