"""PostgreSQL's statistics of the vouchers kept fresh (docs/adr/0020, "A new year's vouchers").

Vouchers arrive one at a time, and a new year starts with none. Until autovacuum analyses the
table again (by default after a tenth of it has changed, ~23,000 vouchers nationally), the
planner believes the new year holds no voucher; a county's voucher list then joins each of
the year's vouchers to every unit of the county (156 ms at 2,415 vouchers, ~1.5 s at 23,000;
1.8 ms once analysed). Here the table is analysed after every 1,000 changes, whatever its
size. SQLite has no autovacuum: nothing to do there."""

from django.db import migrations

from zizhu.lib.statistics import analyze_often


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0004_voucher_form_key")]
    operations = [analyze_often("vouchers.Voucher", every=1000)]
