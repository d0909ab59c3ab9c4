from django.db import migrations

from zizhu.catalogue.seed import upgrade_catalogue


def upgrade(apps, schema_editor):
    upgrade_catalogue(apps.get_model("catalogue", "AidProject"), apps.get_model("units", "Unit"))


class Migration(migrations.Migration):
    # data apart from the constraints of 0005 (PostgreSQL refuses an ALTER TABLE after rows
    # with deferred foreign-key checks in the same transaction)
    dependencies = [("catalogue", "0003_catalogue_sources_provinces")]
    operations = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
