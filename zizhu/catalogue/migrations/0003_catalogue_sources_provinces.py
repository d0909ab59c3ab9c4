import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0002_seed'),
        ('units', '0002_authority_path_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='aidproject',
            name='province',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.unit', verbose_name="Province's own project of"),
        ),
        migrations.AddField(
            model_name='aidproject',
            name='source',
            field=models.CharField(blank=True, max_length=200, verbose_name='Policy source'),
        ),
        migrations.AlterField(
            model_name='aidproject',
            name='stage',
            field=models.CharField(choices=[('preschool', 'Preschool'), ('compulsory', 'Compulsory education'), ('senior_high', 'Senior high'), ('vocational', 'Secondary vocational'), ('higher', 'Higher education'), ('special', 'Special education'), ('any', 'Any stage')], max_length=20, verbose_name='Stage'),
        ),
    ]
