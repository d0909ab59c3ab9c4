import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Runs record the list versions they checked (and no longer skip unknown schools: their
    subjects come from the database's own lists); a finding's `row_id` becomes a reference to
    its list row. The column stays as it is, only nullable (findings of generated data may
    name no row of the database)."""

    dependencies = [
        ("anomalies", "0001_initial"),
        ("recipients", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="finding",
                    name="row_id",
                    field=models.BigIntegerField(null=True, verbose_name="List row"),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="finding", name="row_id"),
                migrations.AddField(
                    model_name="finding",
                    name="row",
                    field=models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="recipients.recipientrow",
                        verbose_name="List row",
                    ),
                ),
            ],
        ),
        migrations.RemoveField(model_name="run", name="skipped"),
        migrations.RemoveField(model_name="run", name="skipped_schools"),
        migrations.AddField(
            model_name="run",
            name="list_rows",
            field=models.JSONField(blank=True, default=dict, verbose_name="List rows per term"),
        ),
        migrations.AddField(
            model_name="run",
            name="lists",
            field=models.ManyToManyField(
                blank=True,
                related_name="check_runs",
                to="recipients.recipientlist",
                verbose_name="Recipient lists checked",
            ),
        ),
    ]
