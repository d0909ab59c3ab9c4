import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_sqlite_triggers(apps, schema_editor):
    # SQLite rebuilds the funds tables for the new constraints; the report-total triggers
    # that name them would break the rebuild. They are reinstalled after migrate (ADR 0008).
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
        ('funds', '0003_school_aid_received_funds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, migrations.RunPython.noop),
        migrations.CreateModel(
            name='ReceiptCorrection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old_date', models.DateField(verbose_name='Previous arrival date')),
                ('new_date', models.DateField(verbose_name='Corrected arrival date')),
                ('reason', models.CharField(max_length=500, verbose_name='Reason')),
                ('corrected_at', models.DateTimeField(auto_now_add=True, verbose_name='Corrected at')),
                ('form_key', models.UUIDField(blank=True, editable=False, null=True, unique=True, verbose_name='Form key')),
            ],
            options={
                'verbose_name': 'Arrival date correction',
                'verbose_name_plural': 'Arrival date corrections',
                'ordering': ['receipt_id', 'corrected_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ReversalRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=500, verbose_name='Reason')),
                ('status', models.CharField(choices=[('pending', "Awaiting the receiver's agreement"), ('agreed', 'Agreed, reversed'), ('declined', 'Declined')], default='pending', max_length=10, verbose_name='Status')),
                ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='Requested at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='Decided at')),
                ('decision_note', models.CharField(blank=True, max_length=500, verbose_name='Reason for declining')),
                ('form_key', models.UUIDField(blank=True, editable=False, null=True, unique=True, verbose_name='Form key')),
            ],
            options={
                'verbose_name': 'Reversal request',
                'verbose_name_plural': 'Reversal requests',
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='allocation',
            name='allocation_amounts_not_negative',
        ),
        migrations.RemoveConstraint(
            model_name='allocation',
            name='allocation_moves_money',
        ),
        migrations.AddField(
            model_name='allocation',
            name='form_key',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True, verbose_name='Form key'),
        ),
        migrations.AddField(
            model_name='allocation',
            name='reason',
            field=models.CharField(blank=True, db_default='', default='', max_length=500, verbose_name='Reason'),
        ),
        migrations.AddField(
            model_name='allocation',
            name='reverses',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversal', to='funds.allocation', verbose_name='Reverses'),
        ),
        migrations.AddField(
            model_name='receipt',
            name='form_key',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True, verbose_name='Form key'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reverses__isnull', True), ('central__gte', 0), ('provincial__gte', 0), ('prefectural__gte', 0), ('county__gte', 0), models.Q(('central__gt', 0), ('provincial__gt', 0), ('prefectural__gt', 0), ('county__gt', 0), _connector='OR')), models.Q(('reverses__isnull', False), ('central__lte', 0), ('provincial__lte', 0), ('prefectural__lte', 0), ('county__lte', 0), models.Q(('central__lt', 0), ('provincial__lt', 0), ('prefectural__lt', 0), ('county__lt', 0), _connector='OR')), _connector='OR'), name='allocation_moves_money_or_reverses'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(('reverses', models.F('pk')), _negated=True), name='allocation_not_its_own_reversal'),
        ),
        migrations.AddField(
            model_name='receiptcorrection',
            name='corrected_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Corrected by'),
        ),
        migrations.AddField(
            model_name='receiptcorrection',
            name='receipt',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='funds.receipt', verbose_name='Receipt'),
        ),
        migrations.AddField(
            model_name='reversalrequest',
            name='allocation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reversal_requests', to='funds.allocation', verbose_name='Allocation'),
        ),
        migrations.AddField(
            model_name='reversalrequest',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Decided by'),
        ),
        migrations.AddField(
            model_name='reversalrequest',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Requested by'),
        ),
        migrations.AddConstraint(
            model_name='receiptcorrection',
            constraint=models.CheckConstraint(condition=models.Q(('old_date', models.F('new_date')), _negated=True), name='receiptcorrection_changes_the_date'),
        ),
        migrations.AddConstraint(
            model_name='reversalrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('allocation',), name='reversalrequest_one_pending_per_allocation'),
        ),
    ]
