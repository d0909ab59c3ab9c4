"""zizhu.lib.compiled: a query compiled once per shape runs with each call's values, and a
stand-in that never reaches the SQL is refused rather than run with the stand-in's value."""

import pytest
from django.db import connection

from zizhu.lib import compiled
from zizhu.units.models import Unit

STAND_IN = compiled.STAND_IN_IDS[0]


def _unit_codes(pk: int) -> list[str]:
    sql, params = compiled.compiled(
        ("test_unit_codes",),
        lambda: Unit.objects.filter(pk=STAND_IN, is_active=True).values("code"),
        {STAND_IN: "unit"},
        {"unit": pk},
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def test_it_runs_the_compiled_query_with_each_calls_values(tree, monkeypatch):
    monkeypatch.setattr(compiled, "_SQL", {})
    for code in ("610000", "610112", "3661000001"):
        assert _unit_codes(tree[code].pk) == [code]
    assert len(compiled._SQL) == 1


def test_it_refuses_a_stand_in_the_sql_does_not_hold(db, monkeypatch):
    monkeypatch.setattr(compiled, "_SQL", {})
    with pytest.raises(RuntimeError, match="no place for"):
        compiled.compiled(
            ("test_lost",), lambda: Unit.objects.filter(code="x"), {STAND_IN: "unit"}, {"unit": 1}
        )
    assert compiled._SQL == {}


def test_it_refuses_a_stand_in_that_reaches_the_sql_without_a_mark(db, monkeypatch):
    monkeypatch.setattr(compiled, "_SQL", {})
    other = compiled.STAND_IN_IDS[1]
    with pytest.raises(RuntimeError, match="without a mark"):
        compiled.compiled(
            ("test_stray",),
            lambda: Unit.objects.filter(pk=STAND_IN, parent_id=other),
            {STAND_IN: "unit"},
            {"unit": 1},
        )
    assert compiled._SQL == {}
