from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0004_catalogue_upgrade'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='aidproject',
            constraint=models.CheckConstraint(condition=models.Q(('stage__in', ['preschool', 'compulsory', 'senior_high', 'vocational', 'higher', 'special', 'any'])), name='aidproject_stage_of_units'),
        ),
        migrations.AddConstraint(
            model_name='aidproject',
            constraint=models.CheckConstraint(condition=models.Q(('province__isnull', True), ('category', 'local'), _connector='OR'), name='aidproject_province_only_local'),
        ),
    ]
