"""PostgreSQL's statistics of the vouchers kept fresh (docs/adr/0020, "A new year's vouchers").

Vouchers arrive one at a time, and a new year starts with none. Until autovacuum analyses the
table again (by default after a tenth of it has changed, ~23,000 vouchers nationally), the
planner believes the new year holds no voucher; a county's voucher list then joins each of
the year's vouchers to every unit of the county (156 ms at 2,415 vouchers, ~1.5 s at 23,000;
1.8 ms once analysed). Here the table is analysed after every 1,000 changes, whatever its
size. SQLite has no autovacuum: nothing to do there."""

from django.db import migrations

UP = (
    "ALTER TABLE vouchers_voucher SET "
    "(autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000)"
)
DOWN = (
    "ALTER TABLE vouchers_voucher RESET "
    "(autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)"
)


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOWN)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0004_voucher_form_key")]
    operations = [migrations.RunPython(up, down)]
