"""The compliance figures' index carries the columns they group and count by.

``deadline_org_rule_idx`` (organization, rule, due date) now includes the status, team, owner and the
times started and met, so that the dashboard reads a county's figures from the index alone (see
``Deadline.Meta.indexes``). Rebuilt under its own name; on PostgreSQL the build holds a lock that
blocks writes to the deadlines for its duration (under a minute for two million deadlines).
"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clocks", "0003_deadline_fillfactor")]

    operations = [
        migrations.RemoveIndex(model_name="deadline", name="deadline_org_rule_idx"),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(fields=["organization", "rule_code", "due_at"], name="deadline_org_rule_idx",
                               include=("status", "team", "owner", "started_at", "met_at")),
        ),
    ]
