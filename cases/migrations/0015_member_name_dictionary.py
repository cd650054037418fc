"""The member search's name dictionary (cases.models.MemberName): every first and last name pair some
member has, with the same trigram indexes as the member table, kept by PostgreSQL triggers on the member
table and filled from the members already there. Statement triggers with a transition table add the
names of a whole statement at once, so a bulk load (COPY of a million members) pays one DISTINCT, not a
statement per row. On SQLite the table is created and stays empty: the search there does not use it."""
from django.db import migrations, models

from carecoord.migration_operations import gin_indexes, postgresql_sql

RECORD_NAMES = """
CREATE OR REPLACE FUNCTION cases_member_names_record() RETURNS trigger AS $$
BEGIN
    INSERT INTO cases_membername (first_name, last_name)
    SELECT DISTINCT first_name, last_name FROM saved_members
    ON CONFLICT (first_name, last_name) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_member_names_on_insert AFTER INSERT ON cases_member
    REFERENCING NEW TABLE AS saved_members FOR EACH STATEMENT EXECUTE FUNCTION cases_member_names_record();
CREATE TRIGGER cases_member_names_on_update AFTER UPDATE ON cases_member
    REFERENCING NEW TABLE AS saved_members FOR EACH STATEMENT EXECUTE FUNCTION cases_member_names_record();
INSERT INTO cases_membername (first_name, last_name)
    SELECT DISTINCT first_name, last_name FROM cases_member ON CONFLICT (first_name, last_name) DO NOTHING;
"""

STOP_RECORDING_NAMES = """
DROP TRIGGER IF EXISTS cases_member_names_on_insert ON cases_member;
DROP TRIGGER IF EXISTS cases_member_names_on_update ON cases_member;
DROP FUNCTION IF EXISTS cases_member_names_record();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_member_name_upper_trigram")]

    operations = [
        migrations.CreateModel(
            name="MemberName",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("first_name", models.CharField(max_length=100, verbose_name="first name")),
                ("last_name", models.CharField(max_length=100, verbose_name="last name")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("first_name", "last_name"), name="member_name_unique")],
            },
        ),
        postgresql_sql(RECORD_NAMES, STOP_RECORDING_NAMES),
        # The expressions of the member table's indexes (0006, 0014), so the same filter is served here;
        # built after the names are in. Without GIN's fast update: the dictionary is read by every search
        # and gains a name rarely, and fast update would keep new names in a pending list that every search
        # reads whole until a VACUUM merges it (11 ms of a 12 ms search at 10,000 members after a bulk load).
        gin_indexes("cases_membername", (
            ("membername_last_name_trgm_idx", "last_name gin_trgm_ops"),
            ("membername_first_name_trgm_idx", "first_name gin_trgm_ops"),
            ("membername_full_name_trgm_idx",
             "(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) gin_trgm_ops"),
            ("membername_first_name_upper_trgm_idx", "UPPER(first_name) gin_trgm_ops"),
            ("membername_last_name_upper_trgm_idx", "UPPER(last_name) gin_trgm_ops"),
        ), storage="fastupdate = off"),
    ]
