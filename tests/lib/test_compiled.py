"""zizhu.lib.compiled: a query compiled once per shape runs with each call's values, and a
stand-in that never reaches the SQL is refused rather than run with the stand-in's value."""

import pytest
from django.db import connection
from django.db.models import Count, F

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


@pytest.fixture
def two_filings(tree, users):
    """The province's and a county's filings of a project, their own funds in their balances."""
    from decimal import Decimal

    from zizhu.catalogue.models import AidProject, Category
    from zizhu.funds.services import filing_create

    project, _ = AidProject.objects.get_or_create(
        code="vocational_national_grant",
        defaults={"name": "中职国家助学金", "stage": "vocational", "category": Category.NATIONAL},
    )
    return [
        filing_create(
            unit=tree[code],
            year=2025,
            project=project,
            own_funds=Decimal(own),
            doc_number=f"{code}〔2025〕1号",
            actor=users[role],
        ).pk
        for code, own, role in (
            ("610000", "200.50", "province_operator"),
            ("610112", "31.25", "county_operator"),
        )
    ]


def _balances_query(filing_pk: int):
    from django.db.models import Sum

    from zizhu.funds.models import Balance

    return (
        Balance.objects.filter(filing_id=filing_pk)
        .order_by("source_level")
        .annotate(level=F("source_level"))
        .values("level", "filing__created_at")  # an annotation first, then a field
        .annotate(own=Sum("own"), rows=Count("pk"))
    )


def test_its_values_are_the_orms_own(two_filings, monkeypatch):
    """Decimals, times and names as `.values()` gives them (on SQLite the converters make
    them): the same dicts as the ORM for two filings, from one compiled query."""
    monkeypatch.setattr(compiled, "_SQL", {})
    monkeypatch.setattr(compiled, "_COLUMNS", {})
    for pk in two_filings:
        expected = list(_balances_query(pk))
        found = compiled.compiled_values(
            ("test_balances",),
            lambda: _balances_query(STAND_IN),
            {STAND_IN: "filing"},
            {"filing": pk},
        )
        assert len(expected) == 4 and found == expected
        types = [{k: type(v) for k, v in row.items()} for row in found]
        assert types == [{k: type(v) for k, v in row.items()} for row in expected]
    assert len(compiled._SQL) == len(compiled._COLUMNS) == 1


def test_it_refuses_a_query_that_is_not_values(db, monkeypatch):
    monkeypatch.setattr(compiled, "_SQL", {})
    monkeypatch.setattr(compiled, "_COLUMNS", {})
    with pytest.raises(RuntimeError, match="not a .values"):
        compiled.compiled_values(
            ("test_models",),
            lambda: Unit.objects.filter(pk=STAND_IN).select_related("parent"),
            {STAND_IN: "unit"},
            {"unit": 1},
        )


def test_its_rows_become_the_models_own_instances(tree, monkeypatch):
    """`instances` of a compiled query of every column: the objects the ORM reads, each value
    equal (on SQLite the flags and the codes converted as the ORM converts them)."""
    monkeypatch.setattr(compiled, "_SQL", {})
    monkeypatch.setattr(compiled, "_COLUMNS", {})
    parent = tree["610000"]

    def children(pk: int):
        return Unit.objects.filter(parent_id=pk).order_by("code")

    rows = compiled.compiled_values(
        ("test_children",),
        lambda: children(STAND_IN).values(*compiled.fields_of(Unit)),
        {STAND_IN: "parent"},
        {"parent": parent.pk},
    )
    made = compiled.instances(Unit, rows)
    expected = list(children(parent.pk))
    assert made and [u.pk for u in made] == [u.pk for u in expected]
    for ours, theirs in zip(made, expected, strict=True):
        assert {f: getattr(ours, f) for f in compiled.fields_of(Unit)} == {
            f: getattr(theirs, f) for f in compiled.fields_of(Unit)
        }
        assert not ours._state.adding


@pytest.mark.django_db
def test_a_compiled_cursor_runs_and_logs_each_statement_and_on_postgresql_prepares_it_once():
    from datetime import UTC, datetime

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for n in range(3):
            with compiled.compiled_cursor() as cursor:
                cursor.execute("SELECT %s + 1", [n])
                assert cursor.fetchone() == (n + 1,)
    # Django's query log (and so every query-count test) sees each run
    assert len(captured) == 3 and all("SELECT" in q["sql"] for q in captured)
    if connection.vendor != "postgresql":
        return  # SQLite prepares nothing: Django's own cursor ran them
    moment = datetime(2025, 9, 1, 8, 30, tzinfo=UTC)
    with compiled.compiled_cursor() as cursor:  # a time read as Django's cursors read it
        cursor.execute("SELECT %s::timestamptz", [moment])
        assert cursor.fetchone() == (moment,)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]  # this connection's, of any test
    assert statements.count("SELECT $1 + 1") == 1  # three runs, one statement
    assert statements.count("SELECT $1::timestamptz") == 1
