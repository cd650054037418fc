"""Leave room in each deadline page so the sweep's lease writes are HOT updates.

The sweep claims a batch by writing ``lease_until`` on every row it takes. That
column is in no index, so PostgreSQL can update the row in place (a heap-only
tuple, no index writes) when its page has free space; on full pages every claim
rewrote the row into all of the table's indexes (about 10x slower per batch on the
scale benchmark). 80 % fill keeps that room. PostgreSQL only; new pages only (a
``VACUUM FULL`` or a reload rewrites the old ones).
"""
from django.db import migrations

from carecoord.migration_operations import postgresql_sql


class Migration(migrations.Migration):
    dependencies = [("clocks", "0002_deadline_ended_outbox_sending")]

    operations = [postgresql_sql('ALTER TABLE "clocks_deadline" SET (fillfactor = 80)',
                                 'ALTER TABLE "clocks_deadline" RESET (fillfactor)', elidable=False)]
