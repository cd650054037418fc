"""The member search ranks names in the name dictionary (0015) and reads members through the btree
name index, so no query uses the trigram indexes on the member table (0006, 0014) any more: dropped,
they no longer weigh on every member written (five GIN indexes over a million rows). Reversible."""
from importlib import import_module

from django.db import migrations

from carecoord.migration_operations import gin_indexes

trigram_0006 = import_module("cases.migrations.0006_member_name_trigram")
trigram_0014 = import_module("cases.migrations.0014_member_name_upper_trigram")

member_trigram_indexes = gin_indexes("cases_member", trigram_0006.INDEXES + trigram_0014.INDEXES)


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_member_name_dictionary")]

    operations = [migrations.RunPython(member_trigram_indexes.reverse_code, member_trigram_indexes.code)]
