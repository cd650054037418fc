"""Shipped wording update: the plan named before the decision; family letters addressed in the letter's language."""
from django.db import migrations


def forwards(apps, schema_editor):
    from notices.seed_texts import refresh

    refresh(apps.get_model("notices", "NoticeTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_seed_templates")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
