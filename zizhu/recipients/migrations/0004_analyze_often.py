"""PostgreSQL analyses these tables after every 200 changes: they are read by period, and a
new period's first rows are otherwise unknown to the planner (zizhu.lib.statistics)."""

from django.db import migrations

from zizhu.lib.statistics import analyze_often


class Migration(migrations.Migration):
    dependencies = [("recipients", "0003_row_list_index_in_unique")]
    operations = [analyze_often("recipients.RecipientList", every=200)]
