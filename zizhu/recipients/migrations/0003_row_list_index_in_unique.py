"""A recipient row's list has no index of its own: the unique (list, pid) index starts with it.

Only the index is dropped (Django's own AlterField would rebuild the whole table on SQLite, and
drop and re-check the foreign key over every row on PostgreSQL)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "recipients_recipientrow_recipient_list_id_ee9f3e73"  # Django's name for it (0001)


class Migration(migrations.Migration):
    dependencies = [
        ("recipients", "0002_sealed_personal_data"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="recipientrow",
                    name="recipient_list",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="recipients.recipientlist",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    f'CREATE INDEX IF NOT EXISTS "{INDEX}" '
                    'ON "recipients_recipientrow" ("recipient_list_id")',
                ),
            ],
        ),
    ]
