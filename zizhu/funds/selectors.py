"""Reads of the funds ledger. Callers pass filings they reached through `zizhu.access`."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import EllipsisType
from typing import TYPE_CHECKING, TypedDict, TypeVar, cast

from django.db.models import (
    DecimalField,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from zizhu.access import Action, scoped, units_for
from zizhu.accounts.models import User
from zizhu.funds.models import (
    AWAITING_RECEIPT,
    ZERO,
    Allocation,
    Balance,
    Deadline,
    Filing,
    FilingStatus,
    Receipt,
    ReversalRequest,
    ReversalStatus,
    SourceLevel,
)
from zizhu.units.models import Level, Unit


class DueAt(TypedDict):
    due_at: datetime | None  # the deadline that applies (none: no deadline set)


class FilingMoney(DueAt):
    received: Decimal | None  # summed over the balance rows (none: no balance rows)
    allocated: Decimal | None


if TYPE_CHECKING:  # WithAnnotations takes two parameters only from Python 3.12 at run time
    from django_stubs_ext import WithAnnotations

    # a filing of the user's own unit as `own_filings` / `filings_of_unit` annotate it
    OwnFiling = WithAnnotations[Filing, DueAt]
    FilingRow = WithAnnotations[Filing, FilingMoney]
F = TypeVar("F", bound="OwnFiling")


def received_by_level(filing: Filing) -> dict[str, Decimal]:
    """上级资金 by source level: the sum of the filing's incoming allocations (one query)."""
    sums = Allocation.objects.filter(to_filing=filing).aggregate(
        **{level: Sum(level) for level in SourceLevel.values}
    )
    return {level: sums[level] or ZERO for level in SourceLevel.values}


def arrival_dates_by_level(filing: Filing) -> dict[str, date | None]:
    """The latest confirmed arrival date (到位时间) of each source level's money (one query)."""
    confirmed = Allocation.objects.filter(
        to_filing=filing, receipt__isnull=False, reversal__isnull=True
    )
    dates = confirmed.aggregate(
        **{
            level: Max("receipt__arrival_date", filter=Q(**{f"{level}__gt": 0}))
            for level in SourceLevel.values
        }
    )
    return dict(dates)


def deadline_of(filing: Filing) -> Deadline | None:
    """The deadline that applies to a filing: the one its unit's parent set for the filing's
    year and project (one query; none for the central unit)."""
    parent_id = filing.unit.parent_id
    if parent_id is None:
        return None
    return Deadline.objects.filter(
        unit_id=parent_id, year=filing.year, project_id=filing.project_id
    ).first()


def is_frozen(
    filing: Filing, deadline: Deadline | None | EllipsisType = ..., now: datetime | None = None
) -> bool:
    """Whether the filing's own fields are frozen: its deadline has passed and no unlock
    reaches beyond `now` (ADR 0006). Allocations and receipts stay possible. The deadline is
    looked up (one query) unless given."""
    if deadline is ...:
        deadline = deadline_of(filing)
    now = now or timezone.now()
    if deadline is None or deadline.due_at > now:
        return False
    return not (filing.unlocked_until and filing.unlocked_until > now)


def is_closed(filing: Filing) -> bool:
    """Whether nothing of the filing's own may change: it is locked, or frozen by its
    deadline without an unlock (`is_frozen`). Vouchers of the same year and project follow."""
    return filing.status == FilingStatus.LOCKED or is_frozen(filing)


def own_filings(user: User) -> "QuerySet[OwnFiling]":
    """The user's own unit's filings (through zizhu.access), each with the deadline that
    applies to it (`due_at`)."""
    unit = cast(Unit, user.unit)  # a user without a unit is not a caller of this
    # The central unit has no parent: `unit_id=None` is IS NULL in Django, which the stubs'
    # lookup check does not allow for, and matches no deadline.
    deadline = Deadline.objects.filter(
        unit_id=unit.parent_id,  # type: ignore[misc]
        year=OuterRef("year"),
        project_id=OuterRef("project_id"),
    ).values("due_at")[:1]
    return (
        scoped(Filing.objects.all(), user, Action.VIEW)
        .filter(unit=unit)
        .annotate(due_at=Subquery(deadline))
    )


def filings_of_unit(user: User, category: str) -> "QuerySet[FilingRow]":
    """The user's own unit's filings of a category, newest year first, with the money of each
    (received, own, allocated out: summed over the balance rows) and the deadline that applies;
    one query whatever the number of filings."""
    money = DecimalField(max_digits=16, decimal_places=2)
    return (
        own_filings(user)
        .filter(project__category=category)
        .select_related("project")
        .annotate(
            received=Sum("balances__received", output_field=money),
            allocated=Sum("balances__allocated_out", output_field=money),
        )
        .order_by("-year", "project__code")
    )


DUE_SOON = timedelta(days=7)
UNFILED = (FilingStatus.DRAFT, FilingStatus.RETURNED, FilingStatus.PENDING)
# the filters of the filing list (query parameter → its one accepted value), also the to-do's
LIST_FILTERS = {"receipt": "pending", "reversal": "pending", "due": "soon"}


def own_filing_condition(
    *,
    status: str = "",
    receipt: str = "",
    due: str = "",
    reversal: str = "",
    now: datetime | None = None,
) -> Q:
    """The condition of `filter_own_filings` (on rows of `own_filings`, which carry `due_at`),
    for a filter or a count: the to-do counts several in one query. `now` is the moment
    "within seven days" counts from (the current time when None)."""
    condition = Q()
    if status in FilingStatus.values:
        condition &= Q(status=status)
    if receipt == "pending":
        unconfirmed = Allocation.objects.filter(AWAITING_RECEIPT, to_filing=OuterRef("pk"))
        condition &= Q(Exists(unconfirmed))
    if reversal == "pending":
        asked = ReversalRequest.objects.filter(
            allocation__to_filing=OuterRef("pk"), status=ReversalStatus.PENDING
        )
        condition &= Q(Exists(asked))
    if due == "soon":
        now = now or timezone.now()
        condition &= Q(status__in=UNFILED, due_at__gt=now, due_at__lte=now + DUE_SOON)
    return condition


def filter_own_filings(
    filings: QuerySet[F],
    *,
    status: str = "",
    receipt: str = "",
    due: str = "",
    reversal: str = "",
) -> QuerySet[F]:
    """`filings_of_unit` narrowed as the filing list's query string asks: a status; filings
    with money that arrived unconfirmed (`receipt=pending`); filings with a reversal that
    waits for the unit's agreement (`reversal=pending`); filings not yet filed whose
    deadline falls within the next seven days (`due=soon`). Unknown values are ignored."""
    condition = own_filing_condition(status=status, receipt=receipt, due=due, reversal=reversal)
    return filings.filter(condition)


def balances_of(filing: Filing) -> list[Balance]:
    """The filing's four balance rows in source-level order."""
    order = {level: i for i, level in enumerate(SourceLevel.values)}
    return sorted(Balance.objects.filter(filing=filing), key=lambda b: order[b.source_level])


def pending_requests() -> "Prefetch[str, QuerySet[ReversalRequest], str]":
    """An allocation's reversal requests awaiting the receiver, as `pending_requests`."""
    return Prefetch(
        "reversal_requests",
        queryset=ReversalRequest.objects.filter(status=ReversalStatus.PENDING),
        to_attr="pending_requests",
    )


def receipts_of(filing: Filing) -> QuerySet[Receipt]:
    """The filing's confirmations of receipt with their corrections, newest first."""
    return filing.receipts.prefetch_related("corrections").order_by("-confirmed_at", "-pk")


def awaiting_receipt(row: "TableRow") -> bool:
    """In Python, for rows of `table_rows(…, incoming=True)` (AWAITING_RECEIPT in the
    database)."""
    return row.receipt_id is None and row.reverses_id is None and row.reversed_at is None


def allocations_with_state() -> QuerySet[Allocation]:
    """Allocations with what a row shows: both filings' units, the receipt, the counter-entry
    (`reversal`) and the reversal requests awaiting the receiver (`pending_requests`)."""
    return Allocation.objects.select_related(
        "from_filing__unit", "to_filing__unit", "receipt", "reversal"
    ).prefetch_related(pending_requests())


# What a row of the API's allocations shows, besides the other filing's unit's code and name:
# each row's filings, units, receipt and counter-entry read whole cost more than the query.
ROW_FIELDS = (
    "from_filing_id",
    "to_filing_id",
    "central",
    "provincial",
    "prefectural",
    "county",
    "receipt__arrival_date",
    "created_at",
    "reverses_id",
    "reason",
    "reversal__created_at",
    "reversal__reverses_id",
)


def allocations_out(filing: Filing) -> QuerySet[Allocation]:
    """The filing's allocations to its children (and their counter-entries), newest first, as
    models for the API (the pages' tables read `table_rows`). Each row's `from_filing` is
    `filing` itself, set without a join."""
    return _with_row_fields(filing.allocations_out.all(), other="to_filing")


def allocations_in(filing: Filing) -> QuerySet[Allocation]:
    """The allocations the filing received (and their counter-entries), newest first; each
    row's `to_filing` is `filing` itself, as in `allocations_out`."""
    return _with_row_fields(filing.allocations_in.all(), other="from_filing")


def _with_row_fields(rows: QuerySet[Allocation], other: str) -> QuerySet[Allocation]:
    """`rows` with what a row shows (ROW_FIELDS and the `other` filing's unit)."""
    rows = rows.select_related(f"{other}__unit", "receipt", "reversal")
    rows = rows.only(*ROW_FIELDS, f"{other}__unit__code", f"{other}__unit__name")
    return rows.prefetch_related(pending_requests()).order_by("-created_at", "-pk")


@dataclass(slots=True)
class TableRow:
    """One allocation as the allocation tables (zizhu.funds.rows) show it."""

    pk: int
    unit_name: str  # the other filing's unit: the receiver's out, the sender's in
    central: Decimal
    provincial: Decimal
    prefectural: Decimal
    county: Decimal
    created_at: datetime
    receipt_id: int | None
    arrival_date: date | None  # the receipt's
    reverses_id: int | None  # set on a counter-entry
    reason: str
    reversed_at: datetime | None  # when its counter-entry was made
    # its reversal request awaiting the receiver, if any
    pending_requests: list[ReversalRequest] = field(default_factory=list)


def table_rows(filing: Filing, *, incoming: bool = False) -> list[TableRow]:
    """The rows of the filing's allocation table, out (to its children) or `incoming`, newest
    first, read as values in two queries: a county's page lists an allocation to each of its
    schools, some hundreds, and making a model of each allocation, its filing, unit, receipt
    and counter-entry took two-thirds of the CPU of reading them."""
    allocations = filing.allocations_in.all() if incoming else filing.allocations_out.all()
    other = "from_filing" if incoming else "to_filing"
    rows = [
        TableRow(*values)
        for values in allocations.order_by("-created_at", "-pk").values_list(
            "pk",
            f"{other}__unit__name",
            "central",
            "provincial",
            "prefectural",
            "county",
            "created_at",
            "receipt_id",
            "receipt__arrival_date",
            "reverses_id",
            "reason",
            "reversal__created_at",
        )
    ]
    if rows:
        by_pk = {row.pk: row for row in rows}
        pending = ReversalRequest.objects.filter(
            allocation_id__in=by_pk, status=ReversalStatus.PENDING
        )
        for request in pending:  # at most one pending per allocation
            by_pk[request.allocation_id].pending_requests.append(request)
    return rows


def allocation_targets(user: object, filing: Filing) -> QuerySet[Unit]:
    """The direct children a filing's money may go to, in the user's scope: active subordinate
    authorities and direct schools of the project's stage (all schools for a project of any
    stage)."""
    children = units_for(user, Action.VIEW).filter(parent_id=filing.unit_id, is_active=True)
    stage = filing.project.stage
    schools = Q(level=Level.SCHOOL) if stage == "any" else Q(level=Level.SCHOOL, stage=stage)
    return children.filter(~Q(level=Level.SCHOOL) | schools).order_by("path")


def children_filings(user: object, deadline: Deadline) -> QuerySet[Filing]:
    """The filings a deadline applies to (the setter's direct children's) in the user's scope,
    with their units."""
    filings = Filing.objects.filter(
        unit__parent_id=deadline.unit_id, year=deadline.year, project_id=deadline.project_id
    )
    return scoped(filings, user, Action.VIEW).select_related("unit").order_by("unit__path")
