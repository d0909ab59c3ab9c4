from django.db import migrations, models


def drop_sqlite_triggers(apps, schema_editor):
    # SQLite rebuilds funds_filing for the new constraint, and the report-total triggers that
    # name the table would break the rebuild; they are reinstalled after migrate (ADR 0008).
    if schema_editor.connection.vendor == "sqlite":
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'fundreports\\_%' ESCAPE '\\'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0002_seed'),
        ('funds', '0002_review_deadlines'),
        ('units', '0002_authority_path_index'),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='filing',
            name='filing_amounts_not_negative',
        ),
        migrations.AddField(
            model_name='filing',
            name='received_arrival_date',
            field=models.DateField(blank=True, null=True, verbose_name='Arrival date of received funds'),
        ),
        migrations.AddField(
            model_name='filing',
            name='received_funds',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='Received funds'),
        ),
        migrations.AddConstraint(
            model_name='filing',
            constraint=models.CheckConstraint(condition=models.Q(('own_funds__gte', 0), models.Q(('school_funds__isnull', True), ('school_funds__gte', 0), _connector='OR'), models.Q(('other_funds__isnull', True), ('other_funds__gte', 0), _connector='OR'), models.Q(('social_funds__isnull', True), ('social_funds__gte', 0), _connector='OR'), models.Q(('received_funds__isnull', True), ('received_funds__gte', 0), _connector='OR')), name='filing_amounts_not_negative'),
        ),
    ]
