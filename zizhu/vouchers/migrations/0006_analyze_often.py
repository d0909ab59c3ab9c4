"""The vouchers analysed after every 200 changes, as every table read by period now is
(zizhu.lib.statistics; 0005 set 1,000)."""

from django.db import migrations

from zizhu.lib.statistics import analyze_often


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0005_analyze_often")]
    operations = [analyze_often("vouchers.Voucher", every=200, back=1000)]  # back: 0005's
