"""PostgreSQL refuses UPDATE and DELETE on the accounting of disclosures, whatever the caller."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION consents_disclosure_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consents_disclosure is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consents_disclosure_append_only
    BEFORE UPDATE OR DELETE ON consents_disclosure
    FOR EACH ROW EXECUTE FUNCTION consents_disclosure_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS consents_disclosure_append_only ON consents_disclosure;
DROP FUNCTION IF EXISTS consents_disclosure_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
