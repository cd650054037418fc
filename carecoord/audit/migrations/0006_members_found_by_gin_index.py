"""Who saw a member is found from the events themselves (``members__shows``): a GIN index on
``AccessEvent.members`` replaces the table of one row per member shown, whose random index
writes were most of an export's audit cost. The members list is the hashed original, so the
table held nothing the events do not."""
import carecoord.audit.models
from django.db import migrations

from carecoord.migration_operations import postgresql_sql

INDEX = "audit_event_members_gin"
# jsonb_path_ops: the smaller GIN opclass, and all that containment (@>) needs.
CREATE = f"CREATE INDEX {INDEX} ON audit_accessevent USING gin (members jsonb_path_ops)"
DROP = f"DROP INDEX IF EXISTS {INDEX}"


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_event_member_no_separate_event_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accessevent',
            name='members',
            field=carecoord.audit.models.MemberIdsField(blank=True, default=list, help_text='Ids of the members shown'),
        ),
        postgresql_sql(CREATE, DROP),
        migrations.DeleteModel(
            name='AccessEventMember',
        ),
    ]
