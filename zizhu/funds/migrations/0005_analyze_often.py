"""PostgreSQL analyses these tables after every 200 changes: they are read by period, and a
new period's first rows are otherwise unknown to the planner (zizhu.lib.statistics)."""

from django.db import migrations

from zizhu.lib.statistics import analyze_often


class Migration(migrations.Migration):
    dependencies = [("funds", "0004_reversals_and_form_keys")]
    operations = [analyze_often("funds.Filing", "funds.Deadline", every=200)]
