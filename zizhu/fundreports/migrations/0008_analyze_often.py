"""PostgreSQL analyses these tables after every 200 changes: they are read by period, and a
new period's first rows are otherwise unknown to the planner (zizhu.lib.statistics)."""

from django.db import migrations

from zizhu.lib.statistics import analyze_often


class Migration(migrations.Migration):
    dependencies = [("fundreports", "0007_voucher_students")]
    operations = [
        analyze_often(
            "fundreports.SchoolBalanceTotal",
            "fundreports.SchoolPaymentTotal",
            "fundreports.SchoolFilingCount",
            every=200,
        )
    ]
