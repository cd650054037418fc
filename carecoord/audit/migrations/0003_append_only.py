"""PostgreSQL refuses UPDATE and DELETE on the access audit tables: append-only in the
database itself, not only in the application. A maintenance session (retention purge by
a DBA) must first ``SET LOCAL carecoord.audit_maintenance = 'on'``. The hash chain still
detects changes made by anyone who bypasses this."""
from django.db import migrations

from carecoord.migration_operations import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('carecoord.audit_maintenance', true), '') = 'on' THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accessevent_append_only BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_accesseventmember_append_only BEFORE UPDATE OR DELETE ON audit_accesseventmember
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
DROP TRIGGER IF EXISTS audit_accesseventmember_append_only ON audit_accesseventmember;
DROP FUNCTION IF EXISTS audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]
    operations = [postgresql_sql(FORWARD, BACKWARD)]
