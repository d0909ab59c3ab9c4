"""Every table read by period (a model with a year or a month) is analysed by PostgreSQL after
every ANALYZE_EVERY (200) changes: a new year's or month's first rows are otherwise unknown to
the planner until a tenth of the table has changed, and the pages of that period plan for a
single row (zizhu.lib.statistics; docs/adr/0020, "A new period's statistics")."""

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zizhu.lib.statistics import ANALYZE_EVERY, PERIOD_FIELDS

OFTEN = {"autovacuum_analyze_scale_factor=0", f"autovacuum_analyze_threshold={ANALYZE_EVERY}"}
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="autovacuum is PostgreSQL's (run with DATABASE_URL=postgres://…); SQLite has none",
)


def read_by_period() -> list[str]:
    tables = []
    for model in apps.get_models():
        for name in PERIOD_FIELDS:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            tables.append(model._meta.db_table)
            break
    return sorted(tables)


def options(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        (found,) = cursor.fetchone()
    return set(found or [])


def migrate(app: str, migration: str) -> None:
    """The database migrated forward or back to `app`'s `migration` (a new executor each time,
    so that its graph knows what the last call applied)."""
    MigrationExecutor(connection).migrate([(app, migration)])


def test_the_tables_read_by_period_are_found():
    tables = read_by_period()
    for table in ("funds_filing", "vouchers_voucher", "recipients_recipientlist"):
        assert table in tables
    assert "funds_allocation" not in tables  # read through its filing


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_every_table_read_by_period_is_analysed_often():
    missing = [table for table in read_by_period() if not options(table) >= OFTEN]
    assert missing == []


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_to_autovacuum_s_defaults():
    migrate("funds", "0004_reversals_and_form_keys")
    assert not options("funds_filing") & OFTEN
    assert not options("funds_deadline") & OFTEN
    migrate("funds", "0005_analyze_often")
    assert options("funds_filing") >= OFTEN
    assert options("funds_deadline") >= OFTEN


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_going_back_past_a_tighter_setting_restores_the_one_before():
    migrate("vouchers", "0005_analyze_often")
    before = {"autovacuum_analyze_scale_factor=0", "autovacuum_analyze_threshold=1000"}
    assert options("vouchers_voucher") == before
    migrate("vouchers", "0004_voucher_form_key")
    assert not options("vouchers_voucher") & before  # 0005 reversed: autovacuum's defaults
    migrate("vouchers", "0006_analyze_often")
    assert options("vouchers_voucher") == OFTEN
