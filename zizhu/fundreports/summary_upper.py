"""The summary tables of central, province and prefecture nodes (national and local aid):
资金总体情况, 资金分担情况, 各级资金执行情况, 学校资金执行情况. A fixed number of queries each."""

from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from zizhu.catalogue.models import Category
from zizhu.fundreports.models import CostSharingTier, ProvinceSplit, ProvinceTier
from zizhu.fundreports.summary import (
    ZERO,
    Row,
    Scope,
    Table,
    child_rows,
    money,
    rate,
    total_row,
)
from zizhu.funds.models import SourceLevel
from zizhu.lib.compiled import STAND_IN_TEXT, compiled_values
from zizhu.lib.formats import Percent
from zizhu.units.models import Level, Unit

LEVELS = SourceLevel.values
LOCAL_LEVELS = LEVELS[1:]


def level_label(level: str) -> str:
    return str(SourceLevel(level).label)


JOINTLY = Q(filing__project__jointly_funded=True)


def _node_balances(scope: Scope) -> list[dict]:
    """The node's own balances per project and source level: received, own, allocated down,
    and the received and own of jointly funded projects (one query, shared by `overview`,
    `levels` and the cost sharing)."""
    if "node_balances" not in scope.memo:
        scope.memo["node_balances"] = scope.rows(
            "node_balances", _node_balances_query, "scope node year project"
        )
    return scope.memo["node_balances"]


def _node_balances_query(scope: Scope) -> QuerySet:
    return (
        scope.balances()
        .filter(filing__unit=scope.node)
        .order_by()
        .values("filing__project__code", "filing__project__name", "source_level")
        .annotate(  # the filtered sums first: later, "received" names the sum
            jointly_received=Sum("received", filter=JOINTLY),
            jointly_own=Sum("own", filter=JOINTLY),
            received=Sum("received"),
            own=Sum("own"),
            out=Sum("allocated_out"),
        )
    )


def overview(scope: Scope) -> Table:
    """资金总体情况: the node's own filings by project and source level."""
    sums = _node_balances(scope)
    order = {level: i for i, level in enumerate(LEVELS)}
    rows = []
    for s in sorted(sums, key=lambda s: (s["filing__project__code"], order[s["source_level"]])):
        received, own, out = money(s["received"]), money(s["own"]), money(s["out"])
        if received or own or out:
            funds = received + own
            cells = [s["filing__project__name"], level_label(s["source_level"])]
            rows.append(Row([*cells, received, own, funds, out, funds - out]))
    if rows:
        rows.append(total_row(_("Total"), rows, skip=2))
    header = [
        _("Aid project"),
        _("Source level"),
        _("Received funds"),
        _("Own funds"),
        _("Funds"),
        _("Allocated down"),
        _("Not yet allocated"),
    ]
    return Table("overview", header, rows)


def _shares(amounts: dict) -> tuple[list, Decimal | None]:
    """The amounts per level, the local total, and the actual central share (%)."""
    central = amounts.get(SourceLevel.CENTRAL, ZERO)
    local_levels = [amounts.get(level, ZERO) for level in LOCAL_LEVELS]
    local = sum(local_levels, ZERO)
    return [central, *local_levels, local], rate(central, central + local)


def _province_code(unit: Unit) -> str:
    codes = unit.ancestor_codes()
    return codes[1] if len(codes) > 1 else ""


def _tier_codes(unit: Unit) -> list[str]:
    """Where a unit's policy tier is configured: its prefecture first (a separately planned
    city such as 大连 has a tier of its own), then its province."""
    return list(reversed(unit.ancestor_codes()[1:3]))


def _jointly_amounts(scope: Scope) -> dict:
    """Per source level, the money of jointly funded projects reaching the node's subtree:
    what the node received + the own funds put in at or below it (from the node's balances
    and the rows per child, no query of its own; shared by `sharing` and `sharing_split`)."""
    if "jointly_amounts" not in scope.memo:
        # The node's own rows (few, read once for the page), plus the own funds below it
        # summed from the rows per child: no second pass over the whole subtree.
        received: dict[str, Decimal] = {}
        own: dict[str, Decimal] = {}
        for s in _node_balances(scope):
            if s["jointly_own"] is None:  # no jointly funded project in this row
                continue
            level = s["source_level"]
            received[level] = received.get(level, ZERO) + s["jointly_received"]
            own[level] = own.get(level, ZERO) + s["jointly_own"]
        for s in _balances_per_child(scope):
            if s["jointly_own"] is not None:
                level = s["source_level"]
                own[level] = own.get(level, ZERO) + s["jointly_own"]
        scope.memo["jointly_amounts"] = {
            level: money(received.get(level)) + money(own[level]) for level in own
        }
    return scope.memo["jointly_amounts"]


FIGURES = (
    "jointly_received",
    "jointly_own",
    "school_received",
    "direct_received",
    "direct_own",
    "direct_out",
)


def _balances_per_child(scope: Scope) -> list[dict]:
    """The balances strictly below the node per child unit and source level, shared by
    `sharing`, `level_children` and `schools`: the jointly funded money reaching each child
    (what the child received + the own funds put in at or below it), what the schools
    received, and the child's own balances (`direct_…`: received, own, allocated down).

    Three queries, none over every school below the node: the authorities' own balances,
    those of the node's direct schools, and the schools further down through their
    per-authority totals (rollups.py)."""
    if "balances_per_child" in scope.memo:
        return scope.memo["balances_per_child"]
    rows: dict[tuple, dict] = {}

    def add(found) -> None:
        for s in found:
            key = (s["child"], s["source_level"])
            empty = {"child": key[0], "source_level": key[1], **dict.fromkeys(FIGURES)}
            row = rows.setdefault(key, empty)
            for name in FIGURES:
                if s.get(name) is not None:
                    row[name] = (row[name] or ZERO) + s[name]

    per_child = "scope year project node_path below"
    add(scope.rows("authority_balances", _authority_balances, per_child))
    add(scope.rows("direct_school_balances", _direct_school_balances, "scope node year project"))
    add(scope.rows("school_balances", _school_balances, per_child))
    scope.memo["balances_per_child"] = list(rows.values())
    return scope.memo["balances_per_child"]


def _authority_balances(scope: Scope) -> QuerySet:
    """The authorities' own balances below the node, per child (`_balances_per_child`)."""
    authorities = scope.per_child(
        scope.balances().exclude(filing__unit__level=Level.SCHOOL), "filing__unit"
    )
    child = Q(filing__unit__depth=scope.node.depth + 1)
    return authorities.values("source_level", "child").annotate(
        jointly_received=Sum("received", filter=JOINTLY & child),
        jointly_own=Sum("own", filter=JOINTLY),
        direct_received=Sum("received", filter=child),
        direct_own=Sum("own", filter=child),
        direct_out=Sum("allocated_out", filter=child),
    )


def _direct_school_balances(scope: Scope) -> QuerySet:
    """The balances of the node's direct schools, each its own child."""
    direct = scope.balances().filter(
        filing__unit__parent=scope.node, filing__unit__level=Level.SCHOOL
    )
    return (
        direct.order_by()
        .values("source_level", child=F("filing__unit__code"))
        .annotate(
            jointly_received=Sum("received", filter=JOINTLY),
            jointly_own=Sum("own", filter=JOINTLY),
            school_received=Sum("received"),
            direct_received=Sum("received"),
            direct_own=Sum("own"),
            direct_out=Sum("allocated_out"),
        )
    )


def _school_balances(scope: Scope) -> QuerySet:
    """The schools further down, through their per-authority totals, per child."""
    return (
        scope.per_child(scope.school_balances(), "authority", "authority_path")
        .values("source_level", "child")
        .annotate(
            jointly_own=Sum("own", filter=Q(project__jointly_funded=True)),
            school_received=Sum("received"),
        )
    )


def _direct_school_payments(scope: Scope) -> dict[str, dict]:
    """Per school directly under the node: its voucher total (national aid) and its
    approved recipient-list total (two queries, shared by `level_children` and `schools`)."""
    if "direct_school_payments" not in scope.memo:
        paid: dict[str, dict] = {}
        uses = "scope node year project"
        for p in scope.rows("direct_school_vouchers", _direct_school_vouchers, uses):
            paid.setdefault(p["unit__code"], {})["vouchers"] = money(p["total"])
        uses += " last_year"
        for p in scope.rows("direct_school_lists", _direct_school_lists, uses):
            paid.setdefault(p["school__code"], {})["lists"] = money(p["total"])
        scope.memo["direct_school_payments"] = paid
    return scope.memo["direct_school_payments"]


def _direct_school_vouchers(scope: Scope) -> QuerySet:
    vouchers = scope.vouchers().filter(unit__parent=scope.node).values("unit__code")
    return vouchers.order_by().annotate(total=Sum("amount"))


def _direct_school_lists(scope: Scope) -> QuerySet:
    lists = scope.recipient_lists().filter(school__parent=scope.node).values("school__code")
    return lists.order_by().annotate(total=Sum("total_amount"))


def sharing(scope: Scope) -> Table:
    """资金分担情况: of the money of jointly funded projects reaching a unit's subtree (what
    the unit received + the own funds put in at or below it), the central part's share,
    against the policy tier of the unit's province. The node first, then each child."""
    node = scope.node
    amounts = _jointly_amounts(scope)
    per_child: dict[str, dict] = {}
    for s in _balances_per_child(scope):
        per_child.setdefault(s["child"], {})[s["source_level"]] = money(
            s["jointly_received"]
        ) + money(s["jointly_own"])
    units = [node, *scope.children]
    tiers = _tiers()
    rows = []
    for unit in units:
        figures, actual = _shares(amounts if unit is node else per_child.get(unit.code, {}))
        tier = next((tiers[c] for c in _tier_codes(unit) if c in tiers), None)
        policy = tier.central_share if tier else None
        difference = actual - policy if actual is not None and policy is not None else None
        cells = [unit.name, *figures, actual, tier.number if tier else None, policy, difference]
        rows.append(Row(cells, unit=None if unit is node else unit, total=unit is node))
    header = [
        _("Unit"),
        *(level_label(level) for level in LEVELS),
        _("Local funds"),
        Percent(_("Actual central share (%)")),
        _("Policy tier"),
        Percent(_("Policy central share (%)")),
        Percent(_("Difference (points)")),
    ]
    note = _(
        "Jointly funded projects. The funds reaching a unit are what it received plus the own "
        "funds put in at or below it."
    )
    return Table("sharing", header, rows, note=note)


def sharing_split(scope: Scope) -> Table:
    """The local funds of the node's subtree by level, against the province's configured
    split (configuration, may be absent)."""
    node = scope.node
    amounts = _jointly_amounts(scope)
    local = sum((amounts.get(level, ZERO) for level in LOCAL_LEVELS), ZERO)
    split = _split(_province_code(node))
    configured = {}
    if split is not None:
        shares = (split.province_share, split.prefecture_share, split.county_share)
        configured = dict(zip(LOCAL_LEVELS, shares, strict=True))
    rows = [
        Row(
            [
                level_label(level),
                amounts.get(level, ZERO),
                rate(amounts.get(level, ZERO), local),
                configured.get(level),
            ]
        )
        for level in LOCAL_LEVELS
    ]
    header = [
        _("Source level"),
        _("Funds"),
        Percent(_("Actual share of local funds (%)")),
        Percent(_("Configured share (%)")),
    ]
    return Table("sharing_split", header, rows)


def _tiers() -> dict[str, CostSharingTier]:
    """Every configured policy tier by division code (a few dozen rows, one compiled query)."""

    def build() -> QuerySet:
        return ProvinceTier.objects.values("code", "tier__number", "tier__central_share")

    return {
        t["code"]: CostSharingTier(number=t["tier__number"], central_share=t["tier__central_share"])
        for t in compiled_values(("summary.tiers",), build, {}, {})
    }


def _split(code: str) -> ProvinceSplit | None:
    """The configured split of a province's local funds, if any (one compiled query; the
    code is unique)."""

    def build() -> QuerySet:
        found = ProvinceSplit.objects.filter(code=STAND_IN_TEXT)
        return found.values("prefecture_share", "county_share")[:1]

    found = compiled_values(("summary.split",), build, {STAND_IN_TEXT: "code"}, {"code": code})
    return ProvinceSplit(code=code, **found[0]) if found else None


def levels(scope: Scope) -> Table:
    """各级资金执行情况 at the node: per source level, its funds (received + own), what it
    allocated down, what is left, and the rate allocated ÷ funds."""
    sums: dict[str, dict] = {}
    for s in _node_balances(scope):  # per project and level: summed here per level
        level = sums.setdefault(s["source_level"], {})
        for name in ("received", "own", "out"):
            if s[name] is not None:
                level[name] = level.get(name, ZERO) + s[name]
    rows = []
    for level in LEVELS:
        s = sums.get(level, {})
        received, own, out = money(s.get("received")), money(s.get("own")), money(s.get("out"))
        funds = received + own
        rows.append(
            Row([level_label(level), received, own, funds, out, funds - out, rate(out, funds)])
        )
    total = total_row(_("Total"), rows)
    total.cells[6] = rate(total.cells[4], total.cells[3])
    header = [
        _("Source level"),
        _("Received funds"),
        _("Own funds"),
        _("Funds"),
        _("Allocated down"),
        _("Not yet allocated"),
        Percent(_("Execution rate (%)")),
    ]
    chart = {
        "levels": [r.cells[0] for r in rows],
        "funds": [str(r.cells[3]) for r in rows],
        "allocated": [str(r.cells[4]) for r in rows],
        "funds_label": _("Funds"),
        "allocated_label": _("Allocated down"),
        # nothing to draw: the page says so instead of equal slices of zeros
        "empty": not any(r.cells[3] or r.cells[4] for r in rows),
    }
    return Table("levels", header, [*rows, total], chart=chart)


def level_children(scope: Scope) -> Table:
    """各级资金执行情况 per child unit: an authority executes by allocating down, a school by
    paying out (voucher total for national aid, approved recipient lists for local aid)."""
    figures: dict[str, dict] = {}
    for s in _balances_per_child(scope):  # per child and level: summed here per child
        sums = figures.setdefault(s["child"], {})
        for name in ("received", "own", "out"):
            value = s[f"direct_{name}"]
            if value is not None:
                sums[name] = sums.get(name, ZERO) + value
    paid = "vouchers" if scope.category == Category.NATIONAL else "lists"
    executed = {
        code: payments.get(paid, ZERO) for code, payments in _direct_school_payments(scope).items()
    }
    rows = []
    for child in scope.children:
        s = figures.get(child.code, {})
        funds = money(s.get("received")) + money(s.get("own"))
        done = executed.get(child.code, ZERO) if child.is_school else money(s.get("out"))
        cells = [
            child.name,
            child.get_level_display(),
            funds,
            done,
            funds - done,
            rate(done, funds),
        ]
        rows.append(Row(cells, unit=child))
    if rows:
        total = total_row(_("Total"), rows, skip=2)
        total.cells[5] = rate(total.cells[3], total.cells[2])
        rows.append(total)
    header = [
        _("Unit"),
        _("Level"),
        _("Funds"),
        _("Executed"),
        _("Not yet executed"),
        Percent(_("Execution rate (%)")),
    ]
    return Table("level_children", header, rows)


def schools(scope: Scope) -> Table:
    """学校资金执行情况: the schools below each child unit (at the last level, each school):
    received funds, approved recipient-list total, voucher total (national aid)."""
    per_child = "scope node_path below"
    counts = {c["child"]: c["n"] for c in scope.rows("school_counts", _school_counts, per_child)}
    counts |= {child.code: 1 for child in scope.children if child.is_school}
    school_received: dict[str, list] = {}
    for s in _balances_per_child(scope):
        if s["school_received"] is not None:
            school_received.setdefault(s["child"], []).append(s["school_received"])
    received = {child: money(sum(values)) for child, values in school_received.items()}
    lists: dict[str, Decimal] = {}
    paid: dict[str, Decimal] = {}
    totals = scope.rows("school_payments", _school_payments, f"{per_child} year project")
    for s in totals:
        lists[s["child"]] = money(s["lists"])
        paid[s["child"]] = money(s["vouchers"])
    for code, payments in _direct_school_payments(scope).items():
        lists[code] = payments.get("lists", ZERO)
        paid[code] = payments.get("vouchers", ZERO)
    national = scope.category == Category.NATIONAL
    figures = {}
    for child in scope.children:
        code = child.code
        cells = [counts.get(code, 0), received.get(code, ZERO), lists.get(code, ZERO)]
        if national:
            cells += [paid.get(code, ZERO), rate(paid.get(code, ZERO), cells[1])]
        figures[code] = cells
    empty = [0, ZERO, ZERO, ZERO, None] if national else [0, ZERO, ZERO]
    rows = child_rows(scope, figures, empty)
    if rows:
        total = total_row(_("Total"), rows)
        if national:
            total.cells[5] = rate(total.cells[4], total.cells[2])
        rows.append(total)
    header = [_("Unit"), _("Schools"), _("Received funds"), _("Recipient-list total")]
    if national:
        header += [_("Voucher total"), Percent(_("Paid out of received (%)"))]
    return Table("schools", header, rows)


def _school_counts(scope: Scope) -> QuerySet:
    return (
        scope.per_child(scope.school_counts(), "authority", "authority_path")
        .values("child")
        .annotate(n=Sum("schools"))
    )


def _school_payments(scope: Scope) -> QuerySet:
    return (
        scope.per_child(scope.school_payments(), "authority", "authority_path")
        .values("child")
        .annotate(lists=Sum("list_amount"), vouchers=Sum("voucher_amount"))
    )
