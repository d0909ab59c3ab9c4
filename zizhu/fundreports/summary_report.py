"""Which tables a summary report has (docs/domain.md, funds) and how each is built."""

from collections.abc import Callable

from zizhu.catalogue.models import Category
from zizhu.fundreports import summary_lower, summary_own, summary_upper
from zizhu.fundreports.summary import Scope, Table
from zizhu.units.models import Level

BUILDERS: dict[str, Callable[[Scope], Table]] = {
    "overview": summary_upper.overview,
    "sharing": summary_upper.sharing,
    "sharing_split": summary_upper.sharing_split,
    "levels": summary_upper.levels,
    "level_children": summary_upper.level_children,
    "schools": summary_upper.schools,
    "arrivals": summary_lower.arrivals,
    "arrival_children": summary_lower.arrival_children,
    "pending": lambda scope: summary_lower.pending(scope)[0],
    "recipients": summary_lower.recipients,
    "vouchers": summary_lower.vouchers,
    "funds": summary_own.funds,
}


def table_keys(scope: Scope) -> list[str]:
    node = scope.node
    if scope.own_category:
        return ["funds", "recipients"] if node.is_school else ["funds"]
    national = scope.category == Category.NATIONAL
    if scope.upper:
        keys = ["levels", "level_children", "schools"]
        if national:
            split = ["sharing_split"] if node.level != Level.CENTRAL else []
            keys = ["overview", "sharing", *split, *keys]
        return keys
    keys = ["arrivals", *([] if node.is_school else ["arrival_children"]), "pending"]
    return [*keys, "recipients", *(["vouchers"] if national else [])]


def build(scope: Scope, key: str) -> Table:
    return BUILDERS[key](scope)
