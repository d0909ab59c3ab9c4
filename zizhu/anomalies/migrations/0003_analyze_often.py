"""PostgreSQL analyses these tables after every 200 changes: they are read by period, and a
new period's first rows are otherwise unknown to the planner (zizhu.lib.statistics)."""

from django.db import migrations

from zizhu.lib.statistics import analyze_often


class Migration(migrations.Migration):
    dependencies = [("anomalies", "0002_run_lists_and_finding_row")]
    operations = [
        analyze_often(
            "anomalies.Run",
            "anomalies.Finding",
            "anomalies.Explanation",
            every=200,
        )
    ]
