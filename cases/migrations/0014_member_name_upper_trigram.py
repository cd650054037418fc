"""Trigram indexes on the upper-cased member names, which serve the member search's word test
(``icontains`` is ``UPPER(name) LIKE UPPER(pattern)`` on PostgreSQL) from an index, so that a large
scope (a plan's members) is searched by name first. Nothing to do on SQLite."""
from django.db import migrations

from carecoord.migration_operations import gin_indexes

INDEXES = (
    ("member_first_name_upper_trgm_idx", "UPPER(first_name) gin_trgm_ops"),
    ("member_last_name_upper_trgm_idx", "UPPER(last_name) gin_trgm_ops"),
)


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_care_team_start_local_date")]

    operations = [gin_indexes("cases_member", INDEXES)]
