from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0003_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='voucher',
            name='form_key',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True, verbose_name='Form key'),
        ),
    ]
