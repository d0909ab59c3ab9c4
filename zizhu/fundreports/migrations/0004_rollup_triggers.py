"""The triggers that keep the per-authority totals (zizhu/fundreports/rollups.py), and the
totals of the rows already there. A migration of its own: the totals' unique constraints,
which the triggers' upserts need, exist only once 0003 has finished. The SQL is frozen in
sql/0004_rollup_triggers.<vendor>.sql."""

from django.db import migrations

from zizhu.fundreports.migrations._frozen import run

NAME = "0004_rollup_triggers"


def install(apps, schema_editor):
    run(schema_editor, NAME, "triggers", "rebuild")


def uninstall(apps, schema_editor):
    run(schema_editor, NAME, "drop")


class Migration(migrations.Migration):
    dependencies = [("fundreports", "0003_rollups")]

    operations = [migrations.RunPython(install, uninstall)]
