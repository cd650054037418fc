from django.db import migrations


def load(apps, schema_editor):
    from directory.vocabulary import SERVICES

    Service = apps.get_model("directory", "Service")
    for code, name, kind in SERVICES:
        Service.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
