"""The DELETE triggers subtract only while their totals table holds rows: a flush (or a
cleanup) that empties the totals before their source rows no longer leaves negative totals
behind. The sums do not change, so the totals are not rebuilt. The SQL is frozen in
sql/0005_rollup_deletes_while_totals.<vendor>.sql."""

from django.db import migrations

from zizhu.fundreports.migrations._frozen import run

NAME = "0005_rollup_deletes_while_totals"


def install(apps, schema_editor):
    run(schema_editor, NAME, "triggers")


def reinstall_previous(apps, schema_editor):
    run(schema_editor, "0004_rollup_triggers", "triggers")


class Migration(migrations.Migration):
    dependencies = [("fundreports", "0004_rollup_triggers")]

    operations = [migrations.RunPython(install, reinstall_previous)]
