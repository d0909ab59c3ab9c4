"""The summary of school aid and social aid, the same for every node: 资金情况 (the school's
own or the donors' funds, other funds, received funds), 实际支出 (approved recipient-list
totals of the year) and 收支差额 — per child unit, at a school for the school itself."""

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from zizhu.catalogue.models import Category
from zizhu.fundreports.summary import ZERO, Scope, Table, child_rows, money, total_row


def funds(scope: Scope) -> Table:
    per_child = "scope year project node_path below"
    filed = {s["child"]: s for s in scope.rows("own_filed", _filed, per_child)}
    received = {
        s["child"]: money(s["total"]) for s in scope.rows("own_received", _received, per_child)
    }
    spent = {
        s["child"]: money(s["total"])
        for s in scope.rows("own_spent", _spent, f"{per_child} last_year")
    }
    figures = {}
    for child in scope.children:
        code = child.code
        own = money(filed.get(code, {}).get("main"))
        other = money(filed.get(code, {}).get("other"))
        # received funds: what schools stated for school aid, plus any allocated balance
        got = received.get(code, ZERO) + money(filed.get(code, {}).get("stated"))
        total = own + other + got
        out = spent.get(code, ZERO)
        figures[code] = [own, other, got, total, out, total - out]
    rows = child_rows(scope, figures, [ZERO] * 6)
    if len(rows) > 1:
        rows.append(total_row(_("Total"), rows))
    main_label = _("School funds") if scope.category == Category.SCHOOL else _("Social funds")
    header = [
        _("Unit"),
        main_label,
        _("Other funds"),
        _("Received funds"),
        _("Funds"),
        _("Actual expenditure"),
        _("Balance"),
    ]
    return Table("funds", header, rows)


def _filed(scope: Scope) -> QuerySet:
    main = "school_funds" if scope.category == Category.SCHOOL else "social_funds"
    return (
        scope.per_child(scope.filings(), "unit")
        .values("child")
        .annotate(main=Sum(main), other=Sum("other_funds"), stated=Sum("received_funds"))
    )


def _received(scope: Scope) -> QuerySet:
    return (
        scope.per_child(scope.balances(), "filing__unit")
        .values("child")
        .annotate(total=Sum("received"))
    )


def _spent(scope: Scope) -> QuerySet:
    return (
        scope.per_child(scope.recipient_lists(), "school")
        .values("child")
        .annotate(total=Sum("total_amount"))
    )
