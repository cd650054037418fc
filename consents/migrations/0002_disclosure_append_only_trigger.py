"""PostgreSQL refuses UPDATE and DELETE on the accounting of disclosures, whatever the caller."""
from django.db import migrations

from carecoord.migration_operations import postgresql_sql

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


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]
    operations = [postgresql_sql(CREATE, DROP)]
