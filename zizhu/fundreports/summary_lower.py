"""The summary tables of county and school nodes (national and local aid): 各级财政资金到位情况,
确认收到资金, 资助名单总资金, 财务支付总金额 — and, at a school, the rows that make them."""

import uuid
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from zizhu.access import Action, can
from zizhu.fundreports.summary import ZERO, Row, Scope, Table, child_rows, money, total_row
from zizhu.funds.models import ALLOCATION_TOTAL, AWAITING_RECEIPT, SourceLevel

LEVELS = SourceLevel.values


def arrivals(scope: Scope) -> Table:
    """各级财政资金到位情况: what the node received of each source level, per project, and the
    latest confirmed arrival date of each level's money (one query)."""
    sums = scope.rows("arrivals", _arrivals, "scope node year project")
    rows = []
    for s in sums:
        cells = [s["to_filing__project__name"]]
        for level in LEVELS:
            cells += [money(s[f"{level}_sum"]), s[f"{level}_date"]]
        cells.append(sum((money(s[f"{level}_sum"]) for level in LEVELS), ZERO))
        rows.append(Row(cells))
    if rows:
        total = [_("Total")]
        for i in range(len(LEVELS)):
            total += [sum((r.cells[1 + 2 * i] for r in rows), ZERO), None]
        rows.append(Row([*total, sum((r.cells[-1] for r in rows), ZERO)], total=True))
    header = [_("Aid project")]
    for level in LEVELS:
        header += [str(SourceLevel(level).label), _("Arrival date")]
    header.append(_("Total"))
    return Table("arrivals", header, rows)


def _arrivals(scope: Scope) -> QuerySet:
    dates = {
        f"{level}_date": Max(
            "receipt__arrival_date",
            filter=Q(receipt__isnull=False, reversal__isnull=True, **{f"{level}__gt": 0}),
        )
        for level in LEVELS
    }
    return (
        scope.allocations_in()
        .filter(to_filing__unit=scope.node)
        .order_by()
        .values("to_filing__project__code", "to_filing__project__name")
        .annotate(**{f"{level}_sum": Sum(level) for level in LEVELS}, **dates)
        .order_by("to_filing__project__code")
    )


def arrival_children(scope: Scope) -> Table:
    """Per child unit: what it received, how much of that it confirmed, the latest arrival."""
    sums = scope.rows("arrival_children", _arrival_children, "scope node year project")
    figures = {}
    for s in sums:
        total, confirmed = money(s["total"]), money(s["confirmed"])
        figures[s["to_filing__unit__code"]] = [total, confirmed, total - confirmed, s["latest"]]
    rows = child_rows(scope, figures, [ZERO, ZERO, ZERO, None])
    if rows:
        total = total_row(_("Total"), rows)
        total.cells[4] = None
        rows.append(total)
    header = [
        _("Unit"),
        _("Received funds"),
        _("Confirmed"),
        _("Not yet confirmed"),
        _("Latest arrival date"),
    ]
    return Table("arrival_children", header, rows)


def _arrival_children(scope: Scope) -> QuerySet:
    return (
        scope.allocations_in()
        .filter(to_filing__unit__parent=scope.node)
        .order_by()
        .values("to_filing__unit__code")
        .annotate(
            total=Sum(ALLOCATION_TOTAL),
            confirmed=Sum(ALLOCATION_TOTAL, filter=Q(receipt__isnull=False)),
            latest=Max("receipt__arrival_date"),
        )
    )


@dataclass
class PendingFiling:
    pk: int
    project: str
    # the confirmation form's one-time key (docs/adr/0009), issued with the page
    form_key: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def url(self) -> str:
        """Where 确认收到资金 of this filing posts to."""
        return reverse("funds:receipt_confirm", args=[self.pk])


def may_confirm(scope: Scope) -> bool:
    """Only the node's own operator confirms its receipts."""
    return can(scope.user, Action.FILE) and scope.user.unit_id == scope.node.pk


def pending(scope: Scope) -> tuple[Table, list[PendingFiling]]:
    """确认收到资金: the node's incoming allocations not yet confirmed, and its filings that
    have some (each gets a confirmation form)."""
    rows, filings = [], {}
    for a in scope.rows("pending", _pending, "scope node year project"):
        project = a["to_filing__project__name"]
        amounts = [a[level] for level in LEVELS]
        total = a["central"] + a["provincial"] + a["prefectural"] + a["county"]  # as .total
        cells = [project, a["from_filing__unit__name"], *amounts, total, a["created_at"].date()]
        rows.append(Row(cells))
        filings.setdefault(a["to_filing_id"], PendingFiling(a["to_filing_id"], project))
    header = [
        _("Aid project"),
        _("Allocated from"),
        *(str(SourceLevel(level).label) for level in LEVELS),
        _("Total"),
        _("Allocated on"),
    ]
    table = Table("pending", header, rows)
    return table, list(filings.values())


def _pending(scope: Scope) -> QuerySet:
    return (
        scope.allocations_in()
        .filter(AWAITING_RECEIPT, to_filing__unit=scope.node)
        .order_by("to_filing__project__code", "pk")
        .values(
            "to_filing_id",
            "to_filing__project__name",
            "from_filing__unit__name",
            *LEVELS,
            "created_at",
        )
    )


def recipients(scope: Scope) -> Table:
    """资助名单总资金: approved recipient lists of the year (see `recipient_terms`). Per child
    unit at an authority; at a school, its lists."""
    lists = scope.recipient_lists()
    header = [_("Unit"), _("Lists"), _("Recipients"), _("Recipient-list total")]
    if scope.node.is_school:
        rows = [
            Row(
                [
                    lst.project.name,
                    lst.period_label,
                    lst.row_count,
                    money(lst.total_amount),
                ],
                url=reverse("recipients:detail", args=[lst.pk]),
            )
            for lst in lists.filter(school=scope.node)
            .select_related("project")
            .order_by("project__code", "year", "term", "batch")
        ]
        header = [_("Aid project"), _("School year and term"), _("Recipients"), _("Total")]
    else:
        uses = "scope year last_year project node_path below"
        sums = scope.rows("recipients", _recipients_per_child, uses)
        figures = {s["child"]: [s["n"], s["people"] or 0, money(s["total"])] for s in sums}
        rows = child_rows(scope, figures, [0, 0, ZERO])
    if rows:
        rows.append(total_row(_("Total"), rows, skip=2 if scope.node.is_school else 1))
    return Table("recipients", header, rows)


def _recipients_per_child(scope: Scope) -> QuerySet:
    return (
        scope.per_child(scope.recipient_lists(), "school")
        .values("child")
        .annotate(n=Count("id"), people=Sum("row_count"), total=Sum("total_amount"))
    )


def vouchers(scope: Scope) -> Table:
    """财务支付总金额: the sum of voucher amounts; at a school, its vouchers."""
    found = scope.vouchers()
    if scope.node.is_school:
        rows = [
            Row([v.project.name, v.note, v.students, money(v.amount), v.created_at.date()])
            for v in found.filter(unit=scope.node).select_related("project").order_by("pk")
        ]
        header = [_("Aid project"), _("Note"), _("Students"), _("Amount paid"), _("Uploaded on")]
        if rows:
            total = total_row(_("Total"), rows, skip=2)
            total.cells[4] = None
            rows.append(total)
    else:
        uses = "scope year project node_path below"
        sums = scope.rows("vouchers", _vouchers_per_child, uses)
        figures = {s["child"]: [s["n"], s["students"] or 0, money(s["total"])] for s in sums}
        rows = child_rows(scope, figures, [0, 0, ZERO])
        header = [_("Unit"), _("Vouchers"), _("Students"), _("Total paid")]
        if rows:
            rows.append(total_row(_("Total"), rows))
    return Table("vouchers", header, rows)


def _vouchers_per_child(scope: Scope) -> QuerySet:
    return (
        scope.per_child(scope.vouchers(), "unit")
        .values("child")
        .annotate(n=Count("id"), students=Sum("students"), total=Sum("amount"))
    )
