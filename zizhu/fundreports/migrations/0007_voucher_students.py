"""The students the vouchers aided, summed per authority beside their amount and number (the
authorities' voucher page reads its totals from here). The voucher triggers now add the
students too, and the totals are summed again from the rows. The triggers are dropped while
the column is added: SQLite rebuilds the totals' table to add it, and refuses to rename the
new table while triggers name the old one. The SQL is frozen in
sql/0007_voucher_students.<vendor>.sql."""

from django.db import migrations, models

from zizhu.fundreports.migrations._frozen import run

NAME = "0007_voucher_students"


PREVIOUS = "0005_rollup_deletes_while_totals"


def drop_previous(apps, schema_editor):
    run(schema_editor, PREVIOUS, "drop")


def reinstall_previous(apps, schema_editor):
    run(schema_editor, PREVIOUS, "triggers")


def install(apps, schema_editor):
    run(schema_editor, NAME, "triggers", "rebuild")


def drop(apps, schema_editor):
    run(schema_editor, NAME, "drop")


class Migration(migrations.Migration):
    dependencies = [("fundreports", "0006_per_authority_path_index")]

    operations = [
        migrations.RunPython(drop_previous, reinstall_previous),
        migrations.AddField(
            model_name="schoolpaymenttotal",
            name="voucher_students",
            field=models.IntegerField(db_default=0),
        ),
        migrations.RunPython(install, drop),
    ]
