"""What the per-authority totals sum (rollups.py, ADR 0008): one `Source` per table whose
rows the triggers watch, written with the models' tables and columns (from `_meta`), so
renaming a table or a column changes the generated SQL (and fails the frozen-SQL test until a
migration freezes it again).
"""

from dataclasses import dataclass

from django.db import models

from zizhu.catalogue.models import AidProject
from zizhu.fundreports.models import (
    SchoolBalanceTotal,
    SchoolCount,
    SchoolFilingCount,
    SchoolPaymentTotal,
)
from zizhu.funds.models import FILED_STATUSES, Balance, Deadline, Filing
from zizhu.recipients.models import RecipientList, Status, Term
from zizhu.units.models import Level, Unit
from zizhu.vouchers.models import Voucher


class _Table:
    """A model in the SQL templates: `{Model}` is its table, `{Model.field}` a field's column."""

    def __init__(self, model: type[models.Model]) -> None:
        self._model = model

    def __str__(self) -> str:
        return self._model._meta.db_table

    def __getattr__(self, field: str) -> str:
        return self._model._meta.get_field(field).column


_TABLES = {
    model.__name__: _Table(model)
    for model in (
        AidProject,
        Balance,
        Deadline,
        Filing,
        RecipientList,
        Unit,
        Voucher,
        SchoolBalanceTotal,
        SchoolCount,
        SchoolFilingCount,
        SchoolPaymentTotal,
    )
}
SCHOOL = f"'{Level.SCHOOL}'"
# A school's filing that progress counts: an active school of the project's stage, filed
# (zizhu.funds.models.FILED_STATUSES, zizhu.fundreports.progress.expected_condition).
_FILED = ", ".join(f"'{status}'" for status in FILED_STATUSES)


def _sql(template: str, **names: str) -> str:
    """`template` with the models' tables and columns (`_Table`) and the given `names`."""
    return template.format(**_TABLES, SCHOOL=SCHOOL, **names)


def _columns(model: type[models.Model], *fields: str) -> tuple[str, ...]:
    return tuple(model._meta.get_field(field).column for field in fields)


def _values(model: type[models.Model], **sums: str) -> dict[str, str]:
    """The totals' column of each field of `model` -> the SQL summed into it."""
    return {model._meta.get_field(field).column: _sql(expr) for field, expr in sums.items()}


def _expected_filed(school: str, filing: str) -> str:
    return _sql(
        "{school}.{Unit.level} = {SCHOOL} AND {school}.{Unit.is_active} "
        "AND (j.{AidProject.stage} = 'any' OR j.{AidProject.stage} = {school}.{Unit.stage}) "
        "AND {filing}.{Filing.status} IN ({filed})",
        school=school,
        filing=filing,
        filed=_FILED,
    )


def _late(filing: str, deadline: str) -> str:
    return _sql(
        "CASE WHEN {filing}.{Filing.submitted_at} > {deadline}.{Deadline.due_at} THEN 1 ELSE 0 END",
        filing=filing,
        deadline=deadline,
    )


@dataclass(frozen=True)
class Source:
    """How the rows of one source table add into a totals table."""

    name: str  # trigger and function name
    model: type[models.Model]
    columns: tuple[str, ...]  # the source columns the statement reads
    joins: str  # joins from the source row `r` to its school `u`
    keys: tuple[str, ...]  # expressions of the totals' key, in `target_keys` order
    values: dict[str, str]  # totals column -> expression summed (times the row's sign)
    target_model: type[models.Model]
    target_keys: tuple[str, ...]
    where: str = _sql("u.{Unit.level} = {SCHOOL}")
    # False for a source that only carries changes of a row the totals depend on but do not
    # sum (a school's own fields, a deadline): it is not read to rebuild or check them.
    complete: bool = True

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def target(self) -> str:
        return self.target_model._meta.db_table

    @property
    def fixed(self) -> tuple[tuple[str, str], ...]:
        """Set on insert, never summed: the authority's path, from its unit `p`."""
        return ((_columns(self.target_model, "authority_path")[0], _sql("p.{Unit.path}")),)


def _keys(*templates: str) -> tuple[str, ...]:
    return tuple(_sql(template) for template in templates)


_SCHOOL_AND_PARENT = (
    "JOIN {Unit} u ON u.{Unit.id} = r.{school} JOIN {Unit} p ON p.{Unit.id} = u.{Unit.parent}"
)
_FILING_COUNT_KEYS = ("authority", "year", "project")

SOURCES = (
    Source(
        name="fundreports_balance_totals",
        model=Balance,
        columns=_columns(Balance, "filing", "source_level", "received", "own", "allocated_out"),
        joins=_sql(
            "JOIN {Filing} f ON f.{Filing.id} = r.{Balance.filing} "
            "JOIN {Unit} u ON u.{Unit.id} = f.{Filing.unit} "
            "JOIN {Unit} p ON p.{Unit.id} = u.{Unit.parent}"
        ),
        keys=_keys(
            "u.{Unit.parent}", "f.{Filing.year}", "f.{Filing.project}", "r.{Balance.source_level}"
        ),
        values=_values(
            SchoolBalanceTotal,
            received="r.{Balance.received}",
            own="r.{Balance.own}",
            allocated_out="r.{Balance.allocated_out}",
        ),
        target_model=SchoolBalanceTotal,
        target_keys=_columns(SchoolBalanceTotal, "authority", "year", "project", "source_level"),
    ),
    Source(
        name="fundreports_voucher_totals",
        model=Voucher,
        columns=_columns(Voucher, "unit", "year", "project", "amount", "students"),
        joins=_sql(_SCHOOL_AND_PARENT, school=_columns(Voucher, "unit")[0]),
        keys=_keys("u.{Unit.parent}", "r.{Voucher.year}", "r.{Voucher.project}"),
        values=_values(
            SchoolPaymentTotal,
            voucher_amount="r.{Voucher.amount}",
            vouchers="1",
            voucher_students="r.{Voucher.students}",
        ),
        target_model=SchoolPaymentTotal,
        target_keys=_columns(SchoolPaymentTotal, "authority", "year", "project"),
    ),
    Source(
        name="fundreports_list_totals",
        model=RecipientList,
        columns=_columns(
            RecipientList, "school", "year", "term", "project", "status", "total_amount"
        ),
        joins=_sql(_SCHOOL_AND_PARENT, school=_columns(RecipientList, "school")[0]),
        # The lists of funds year Y: spring of school year Y - 1 and autumn of school year Y
        # (summary.recipient_terms).
        keys=(
            _sql("u.{Unit.parent}"),
            _sql(
                "CASE WHEN r.{RecipientList.term} = '{spring}' THEN r.{RecipientList.year} + 1 "
                "ELSE r.{RecipientList.year} END",
                spring=Term.SPRING,
            ),
            _sql("r.{RecipientList.project}"),
        ),
        values=_values(SchoolPaymentTotal, list_amount="r.{RecipientList.total_amount}"),
        target_model=SchoolPaymentTotal,
        target_keys=_columns(SchoolPaymentTotal, "authority", "year", "project"),
        where=_sql(
            "u.{Unit.level} = {SCHOOL} AND r.{RecipientList.status} = '{approved}'",
            approved=Status.APPROVED,
        ),
    ),
    # Filed school filings (FILED_STATUSES) of active schools of the project's stage, and the
    # late ones among them (submitted after the deadline the school's parent set): from the
    # filings themselves, and as changes of the schools and of the deadlines they depend on.
    Source(
        name="fundreports_filing_counts",
        model=Filing,
        columns=_columns(Filing, "unit", "year", "project", "status", "submitted_at"),
        joins=_sql(
            _SCHOOL_AND_PARENT + " JOIN {AidProject} j ON j.{AidProject.id} = r.{Filing.project} "
            "LEFT JOIN {Deadline} d ON d.{Deadline.unit} = u.{Unit.parent} "
            "AND d.{Deadline.year} = r.{Filing.year} AND d.{Deadline.project} = r.{Filing.project}",
            school=_columns(Filing, "unit")[0],
        ),
        keys=_keys("u.{Unit.parent}", "r.{Filing.year}", "r.{Filing.project}"),
        values=_values(SchoolFilingCount, filed="1", late=_late("r", "d")),
        target_model=SchoolFilingCount,
        target_keys=_columns(SchoolFilingCount, *_FILING_COUNT_KEYS),
        where=_expected_filed("u", "r"),
    ),
    Source(
        name="fundreports_filing_counts_schools",
        model=Unit,
        columns=_columns(Unit, "id", "parent", "level", "stage", "is_active"),
        joins=_sql(
            "JOIN {Filing} f ON f.{Filing.unit} = r.{Unit.id} "
            "JOIN {Unit} p ON p.{Unit.id} = r.{Unit.parent} "
            "JOIN {AidProject} j ON j.{AidProject.id} = f.{Filing.project} "
            "LEFT JOIN {Deadline} d ON d.{Deadline.unit} = r.{Unit.parent} "
            "AND d.{Deadline.year} = f.{Filing.year} AND d.{Deadline.project} = f.{Filing.project}"
        ),
        keys=_keys("r.{Unit.parent}", "f.{Filing.year}", "f.{Filing.project}"),
        values=_values(SchoolFilingCount, filed="1", late=_late("f", "d")),
        target_model=SchoolFilingCount,
        target_keys=_columns(SchoolFilingCount, *_FILING_COUNT_KEYS),
        where=_expected_filed("r", "f"),
        complete=False,
    ),
    Source(
        name="fundreports_filing_counts_deadlines",
        model=Deadline,
        columns=_columns(Deadline, "unit", "year", "project", "due_at"),
        joins=_sql(
            "JOIN {Unit} u ON u.{Unit.parent} = r.{Deadline.unit} JOIN {Filing} f ON "
            "f.{Filing.unit} = u.{Unit.id} AND f.{Filing.year} = r.{Deadline.year} "
            "AND f.{Filing.project} = r.{Deadline.project} "
            "JOIN {Unit} p ON p.{Unit.id} = r.{Deadline.unit} "
            "JOIN {AidProject} j ON j.{AidProject.id} = f.{Filing.project}"
        ),
        keys=_keys("r.{Deadline.unit}", "r.{Deadline.year}", "r.{Deadline.project}"),
        values=_values(SchoolFilingCount, filed="0", late=_late("f", "r")),
        target_model=SchoolFilingCount,
        target_keys=_columns(SchoolFilingCount, *_FILING_COUNT_KEYS),
        where=_expected_filed("u", "f"),
        complete=False,
    ),
    Source(
        name="fundreports_school_counts",
        model=Unit,
        columns=_columns(Unit, "parent", "level", "stage", "is_active"),
        # the row is the school itself, as it was (old) or is (new)
        joins=_sql("JOIN {Unit} p ON p.{Unit.id} = r.{Unit.parent}"),
        keys=_keys("r.{Unit.parent}", "r.{Unit.stage}"),
        values=_values(
            SchoolCount, schools="1", active="CASE WHEN r.{Unit.is_active} THEN 1 ELSE 0 END"
        ),
        target_model=SchoolCount,
        target_keys=_columns(SchoolCount, "authority", "stage"),
        where=_sql("r.{Unit.level} = {SCHOOL}"),
    ),
)
