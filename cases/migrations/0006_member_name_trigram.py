"""Typo-tolerant member name search on PostgreSQL: the pg_trgm extension and GIN trigram
indexes on member names. Nothing to do on SQLite (the search falls back to icontains)."""
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from carecoord.migration_operations import gin_indexes

INDEXES = (
    ("member_last_name_trgm_idx", "last_name gin_trgm_ops"),
    ("member_first_name_trgm_idx", "first_name gin_trgm_ops"),
    ("member_full_name_trgm_idx", "(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) gin_trgm_ops"),
)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_careplanintervention_referral_and_more")]

    operations = [
        TrigramExtension(),
        gin_indexes("cases_member", INDEXES),
    ]
