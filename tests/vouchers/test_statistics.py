"""PostgreSQL analyses the vouchers after every 1,000 changes (migration 0005): a new year's
first vouchers are otherwise unknown to the planner for ~23,000 vouchers, and a county's list
then joins each of them to every unit of the county (docs/adr/0020, "A new year's
vouchers")."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_vouchers_are_analysed_after_every_thousand_changes():
    if connection.vendor != "postgresql":
        pytest.skip("autovacuum is PostgreSQL's (run with DATABASE_URL=postgres://…)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'vouchers_voucher'")
        (options,) = cursor.fetchone()
    assert set(options or []) >= {
        "autovacuum_analyze_scale_factor=0",
        "autovacuum_analyze_threshold=1000",
    }
