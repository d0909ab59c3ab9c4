"""The per-authority totals of school rows (rollups.py) follow every write of the rows they
sum: ledger services, plain ORM writes, updates, deletes; on SQLite and on PostgreSQL.
Each figure is compared with a sum over the test's own inputs, and `rollup_discrepancies()`
with a fresh aggregate of the source tables."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.fundreports.models import (
    SchoolBalanceTotal,
    SchoolCount,
    SchoolFilingCount,
    SchoolPaymentTotal,
)
from zizhu.fundreports.rollups import rollup_discrepancies, rollups_rebuild
from zizhu.funds.models import Balance, Deadline, Filing
from zizhu.recipients.models import RecipientList
from zizhu.units.models import Unit
from zizhu.units.services import UnitRow, units_import
from zizhu.vouchers.models import Voucher

YEAR = 2025


def balance_total(authority, project, level: str) -> SchoolBalanceTotal:
    return SchoolBalanceTotal.objects.get(
        authority=authority, year=YEAR, project=project, source_level=level
    )


def payment_total(authority, project) -> SchoolPaymentTotal:
    return SchoolPaymentTotal.objects.get(authority=authority, year=YEAR, project=project)


def test_school_balances_are_summed_per_parent_authority(tree, grant, filings):
    # conftest: 610112 allocated 120.00 provincial to its school 3661000001; 3661000003
    # (under 610111) filed with nothing received. Authorities' own rows are not summed.
    total = balance_total(tree["610112"], grant, "provincial")
    assert total.received == Decimal("120.00")
    assert total.authority_path == tree["610112"].path
    assert (total.own, total.allocated_out) == (Decimal("0.00"), Decimal("0.00"))
    assert balance_total(tree["610111"], grant, "provincial").received == Decimal("0.00")
    assert not SchoolBalanceTotal.objects.filter(authority=tree["610100"]).exists()
    assert not SchoolBalanceTotal.objects.filter(authority=tree["610000"]).exists()
    assert rollup_discrepancies() == []


def test_plain_updates_and_deletes_are_followed(tree, grant, filings):
    school = filings["3661000001"]
    Balance.objects.filter(filing=school, source_level="central").update(
        received=Decimal("30.50"), own=Decimal("2.25")
    )
    assert balance_total(tree["610112"], grant, "central").received == Decimal("30.50")
    assert balance_total(tree["610112"], grant, "central").own == Decimal("2.25")
    Balance.objects.filter(filing=school).delete()
    for level in ("central", "provincial", "prefectural", "county"):
        total = balance_total(tree["610112"], grant, level)
        assert (total.received, total.own) == (Decimal("0.00"), Decimal("0.00"))
    assert rollup_discrepancies() == []


def make_voucher(school, project, amount: str, year: int = YEAR) -> Voucher:
    return Voucher.objects.create(
        unit=school, year=year, project=project, students=3, amount=Decimal(amount)
    )


def test_vouchers_add_up_and_leave_on_delete_and_edit(tree, grant):
    county = tree["610112"]
    make_voucher(tree["3661000001"], grant, "100.10")
    second = make_voucher(tree["3661000002"], grant, "20.20")
    make_voucher(tree["3661000001"], grant, "5.00", year=YEAR + 1)
    total = payment_total(county, grant)
    assert (total.voucher_amount, total.vouchers) == (Decimal("120.30"), 2)
    second.amount = Decimal("25.00")
    second.save()
    assert payment_total(county, grant).voucher_amount == Decimal("125.10")
    second.delete()
    total = payment_total(county, grant)
    assert (total.voucher_amount, total.vouchers) == (Decimal("100.10"), 1)
    assert rollup_discrepancies() == []


def make_list(school, project, year: int, term: str, status: str, amount: str, version=1):
    return RecipientList.objects.create(
        school=school,
        project=project,
        year=year,
        term=term,
        status=status,
        version=version,
        total_amount=Decimal(amount),
        review_comment="x" if status == "returned" else "",
    )


def test_approved_lists_count_in_the_funds_year_of_their_term(tree, grant):
    school, county = tree["3661000001"], tree["610112"]
    # Funds year 2025 = spring of school year 2024 + autumn of school year 2025.
    make_list(school, grant, YEAR - 1, "spring", "approved", "400.00")
    make_list(school, grant, YEAR, "autumn", "approved", "300.00")
    make_list(school, grant, YEAR - 1, "autumn", "approved", "7.00")  # funds year 2024
    draft = make_list(school, grant, YEAR, "spring", "draft", "50.00")  # 2026, and a draft
    assert payment_total(county, grant).list_amount == Decimal("700.00")
    old = RecipientList.objects.get(year=YEAR, term="autumn")
    # Approving a new version supersedes the old one: only the new total counts.
    RecipientList.objects.filter(pk=old.pk).update(status="superseded")
    make_list(school, grant, YEAR, "autumn", "approved", "320.00", version=2)
    assert payment_total(county, grant).list_amount == Decimal("720.00")
    draft.status = "approved"
    draft.save()
    assert SchoolPaymentTotal.objects.get(year=YEAR + 1, authority=county).list_amount == 50
    assert rollup_discrepancies() == []


def test_rebuild_restores_totals_after_a_bypass(tree, grant, filings):
    make_voucher(tree["3661000003"], grant, "9.99")
    expected = sorted(
        SchoolBalanceTotal.objects.values_list("authority", "source_level", "received")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SchoolBalanceTotal._meta.db_table}")  # noqa: S608
        cursor.execute(f"UPDATE {SchoolPaymentTotal._meta.db_table} SET voucher_amount = 1")  # noqa: S608
    assert rollup_discrepancies()
    rollups_rebuild()
    assert rollup_discrepancies() == []
    rebuilt = sorted(
        SchoolBalanceTotal.objects.values_list("authority", "source_level", "received")
    )
    assert rebuilt == expected
    assert payment_total(tree["610111"], grant).voucher_amount == Decimal("9.99")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bulk_statements_on_postgresql_sum_once_per_key(tree):
    if connection.vendor != "postgresql":
        pytest.skip("statement-level triggers with transition tables are PostgreSQL's")
    # A transactional test: an earlier one's flush emptied the seeded catalogue.
    seed_catalogue(AidProject)
    grant = AidProject.objects.get(code="vocational_national_grant")
    schools = [tree["3661000001"], tree["3661000002"], tree["3661000003"]]
    Voucher.objects.bulk_create(
        Voucher(unit=s, year=YEAR, project=grant, students=1, amount=Decimal("1.25"))
        for s in schools * 4
    )
    assert payment_total(tree["610112"], grant).voucher_amount == Decimal("10.00")
    assert payment_total(tree["610112"], grant).vouchers == 8
    assert payment_total(tree["610111"], grant).vouchers == 4
    Voucher.objects.filter(unit__in=schools[:2]).update(amount=Decimal("2.00"))
    assert payment_total(tree["610112"], grant).voucher_amount == Decimal("16.00")
    assert rollup_discrepancies() == []


def test_schools_are_counted_per_parent_and_stage(tree):

    def counts(authority) -> dict:
        rows = SchoolCount.objects.filter(authority=authority)
        return {r.stage: (r.schools, r.active) for r in rows if r.schools}

    county = tree["610112"]
    assert counts(county) == {"vocational": (2, 2)}  # 3661000001, 3661000002
    assert counts(tree["610000"]) == {"higher": (1, 1)}  # the direct school 4161000001
    assert counts(tree["610100"]) == {}  # authorities are not counted
    Unit.objects.filter(code="3661000002").update(is_active=False)
    assert counts(county) == {"vocational": (2, 1)}
    Unit.objects.filter(code="3661000002").update(parent=tree["610111"])
    assert counts(county) == {"vocational": (1, 1)}
    assert counts(tree["610111"]) == {"vocational": (2, 1)}
    moved_to = SchoolCount.objects.get(authority=tree["610111"], stage="vocational")
    assert moved_to.authority_path == tree["610111"].path
    assert rollup_discrepancies() == []


def test_filed_and_late_school_filings_follow_filings_schools_and_deadlines(tree, grant, filings):
    def count(code: str) -> tuple[int, int]:
        row = SchoolFilingCount.objects.filter(authority=tree[code], year=YEAR, project=grant)
        return next(((r.filed, r.late) for r in row), (0, 0))

    # conftest: 3661000001 submitted 03-10 against 610112's deadline 03-05 → late;
    # 3661000003 locked, submitted 02-01, 610111 set no deadline → on time.
    assert (count("610112"), count("610111")) == ((1, 1), (1, 0))
    deadline = Deadline.objects.get(unit=tree["610112"], year=YEAR, project=grant)
    deadline.due_at = datetime(YEAR, 3, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    deadline.save()
    assert count("610112") == (1, 0)
    Deadline.objects.create(
        unit=tree["610111"],
        year=YEAR,
        project=grant,
        due_at=datetime(YEAR, 1, 1, tzinfo=ZoneInfo("UTC")),
    )
    assert count("610111") == (1, 1)
    Unit.objects.filter(code="3661000003").update(is_active=False)
    assert count("610111") == (0, 0)
    Filing.objects.filter(pk=filings["3661000001"].pk).update(status="draft")
    assert count("610112") == (0, 0)
    Filing.objects.filter(pk=filings["3661000001"].pk).update(status="submitted")
    deadline.delete()
    assert count("610112") == (1, 0)
    assert rollup_discrepancies() == []


def test_a_unit_import_that_moves_a_school_rebuilds_the_totals(tree, grant, filings):

    make_voucher(tree["3661000001"], grant, "40.00")
    units_import(
        rows=[UnitRow("3661000001", "未央职教中心", "school", "610111", stage="vocational")]
    )
    moved_to = payment_total(tree["610111"], grant)
    assert (moved_to.voucher_amount, moved_to.authority_path) == (
        Decimal("40.00"),
        tree["610111"].path,
    )
    assert balance_total(tree["610111"], grant, "provincial").received == Decimal("120.00")
    assert not SchoolPaymentTotal.objects.filter(authority=tree["610112"]).exists()
    assert rollup_discrepancies() == []


TOTALS = (SchoolBalanceTotal, SchoolPaymentTotal, SchoolFilingCount, SchoolCount)


def test_emptying_the_totals_before_their_rows_leaves_them_empty(tree, grant, filings):
    # A flush (or a cleanup) may empty the totals before the rows they sum: deleting the rows
    # afterwards must not subtract them into totals that no longer hold them.
    make_voucher(tree["3661000001"], grant, "12.00")
    make_list(tree["3661000001"], grant, YEAR, "autumn", "approved", "30.00")
    with connection.cursor() as cursor:
        for model in TOTALS:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
    Voucher.objects.all().delete()
    RecipientList.objects.all().delete()
    Balance.objects.all().delete()
    Deadline.objects.all().delete()
    Unit.objects.filter(code="3661000002").delete()
    assert {model.__name__: model.objects.count() for model in TOTALS} == {
        model.__name__: 0 for model in TOTALS
    }
