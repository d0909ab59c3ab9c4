"""The triggers that keep the per-authority totals (zizhu/fundreports/rollups.py), and the
totals of the rows already there. A migration of its own: the totals' unique constraints,
which the triggers' upserts need, exist only once 0003 has finished."""

from django.db import migrations

from zizhu.fundreports.rollups import rollups_ensure, rollups_uninstall


def install(apps, schema_editor):
    rollups_ensure(schema_editor.connection)


def uninstall(apps, schema_editor):
    rollups_uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("fundreports", "0003_rollups")]

    operations = [migrations.RunPython(install, uninstall)]
