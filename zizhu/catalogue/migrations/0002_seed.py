from django.db import migrations

from zizhu.catalogue.seed import seed_catalogue


def seed(apps, schema_editor):
    # the fields of 0001 only; 0003 adds sources and provinces' own projects
    seed_catalogue(apps.get_model("catalogue", "AidProject"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
