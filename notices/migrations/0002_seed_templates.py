"""Version 1 of every notice template in English and Spanish."""
from django.db import migrations


def forwards(apps, schema_editor):
    from notices.seed_texts import seed

    seed(apps.get_model("notices", "NoticeTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
