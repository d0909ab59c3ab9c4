"""Every key the product records in an audit event's detail has a Chinese label, and so does
every refusal reason and permission an access refusal records.

The keys are found in the source, not listed by hand: the `detail` of every call of
`audit_record` and of the functions that pass a parameter of theirs on into it (a relay, like
`access.deny`'s keywords or the funds ledger's `set_status`), with dict literals, `|`, `or`,
`.update()`, `[key] =` and the local variables holding them followed. What comes from elsewhere
(a `**` spread of a function's result, say) cannot be read so; it is listed below, by where it
comes from, and that list must match what the scan could not read."""

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.utils import translation

from tests.audit.test_labels import CJK, SOURCE, _action_argument, _called, _functions, _strings
from zizhu.access import Action
from zizhu.audit.detail_labels import FIELDS, KEYS, NEEDS, REASONS, TABLES, value_labels
from zizhu.audit.selectors import FILTERS
from zizhu.fundreports.summary import TITLES
from zizhu.fundreports.summary_report import BUILDERS

# What the scan cannot read, by where it is: the keys that come from there.
SPREADS = {
    # uploads_recheck: `**tally.found`, the outcomes counted by Tally (REFUSED, REENCODE, MISSING)
    "zizhu/ops/uploads.py": {"refused", "reencode", "missing"},
    # demo.load: `**world.list_counts()` (zizhu/demo/world.py)
    "zizhu/demo/province.py": {"lists", "rows"},
    # demo.funds_year: `**counts`, what year_insert returns (zizhu/demo/funds_year.py)
    "zizhu/demo/funds_year.py": {
        *("filings", "allocations", "receipts", "balances", "deadlines"),
        *("vouchers", "voucher_files"),
    },
    # recipients.export_store: `**written`, rows per period ("2025-autumn": a year and a term,
    # shown as 2025 秋季学期 by zizhu.audit.details)
    "zizhu/recipients/management/commands/export_lists.py": set(),
    # `manage.py jobs --enqueue KIND --params JSON`: whatever the operator typed (job.create)
    "zizhu/jobs/management/commands/jobs.py": set(),
}
# Keys inside a recorded value that the scan does not reach.
NESTED = {
    "filters": set(FILTERS),  # audit.export: the audit page's filters (zizhu/audit/selectors.py)
    "query": {"year", "project", "level", "status"},  # fundreports/details.py Filters.query()
    "files": {"name", "sha256", "size"},  # vouchers: _described() and the deleted files
}


@dataclass
class Found:
    keys: dict[str, list[str]] = field(default_factory=dict)  # top-level key → where
    nested: dict[str, list[str]] = field(default_factory=dict)  # keys of dicts inside values
    reasons: dict[str, list[str]] = field(default_factory=dict)  # literal refusal reasons
    unread: dict[str, list[str]] = field(default_factory=dict)  # file → what was not read


@dataclass(frozen=True)
class Relay:
    parameter: str
    position: int | None
    spread: bool  # the parameter is **kwargs: the callers' keyword names are keys
    named: frozenset[str]  # the function's other parameters (not keys of a spread)


def _parameters(function) -> list[str]:
    args = function.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def _relay_of(function, name: str) -> Relay | None:
    args = function.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    named = frozenset(_parameters(function))
    if args.kwarg is not None and args.kwarg.arg == name:
        return Relay(name, None, True, named)
    if name in named:
        return Relay(name, positional.index(name) if name in positional else None, False, named)
    return None


class Scan:
    def __init__(self, found: Found, relays: dict[str, set[Relay]], where: str, function, tree):
        self.found, self.relays, self.where = found, relays, where
        self.function, self.tree = function, tree
        self.changed = False
        self.seen: set[str] = set()

    def keys(self, node: ast.expr, nested: bool = False) -> None:
        """Record the keys `node` can hold; a parameter of the function makes it a relay."""
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    self.keys(value, nested)
                    continue
                self._key(key, nested)
                self.values(value)
                if isinstance(key, ast.Constant) and key.value == "reason":
                    for reason in _strings(value) or ():
                        self.found.reasons.setdefault(reason, []).append(self.where)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            self.keys(node.left, nested)
            self.keys(node.right, nested)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.keys(value, nested)
        elif isinstance(node, ast.DictComp) and _items_of(node) is not None:
            self.keys(_items_of(node), nested)  # type: ignore[arg-type]
        elif isinstance(node, ast.Name):
            self._name(node.id, nested)
        elif not nested:
            self.unread(node)

    def values(self, node: ast.expr) -> None:
        """Keys of the dicts written inside a value (before/after, a list of files …)."""
        if isinstance(node, ast.Dict | ast.Name):
            self.keys(node, nested=True)
        elif isinstance(node, ast.List | ast.Tuple):
            for item in node.elts:
                self.values(item)
        elif isinstance(node, ast.ListComp):
            self.values(node.elt)

    def unread(self, node: ast.AST) -> None:
        self.found.unread.setdefault(self.where.split(":")[0], []).append(ast.unparse(node))

    def _key(self, key: ast.expr, nested: bool) -> None:
        strings = _strings(key)
        if strings is None and isinstance(key, ast.Name):
            strings = _module_strings(self.tree).get(key.id)
        if strings is None:
            self.unread(key)
            return
        target = self.found.nested if nested else self.found.keys
        for string in strings:
            target.setdefault(string, []).append(self.where)

    def _name(self, name: str, nested: bool) -> None:
        if self.function is None:
            self.unread(ast.Name(name))
            return
        if name in self.seen:  # `params = {**params, …}`
            return
        self.seen.add(name)
        relay = _relay_of(self.function, name)
        if relay is not None and not nested:
            known = self.relays.setdefault(self.function.name, set())
            if relay not in known:
                known.add(relay)
                self.changed = True
        assigned = list(_assigned(self.function, name))
        if not assigned and relay is None and not nested:
            self.unread(ast.Name(name))
        for value in assigned:
            self.keys(value, nested)


def _items_of(node: ast.DictComp) -> ast.expr | None:
    """`{k: f(v) for k, v in X.items()}` has X's keys."""
    generator = node.generators[0]
    call = generator.iter
    if (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "items"
        and isinstance(node.key, ast.Name)
        and isinstance(generator.target, ast.Tuple)
        and isinstance(generator.target.elts[0], ast.Name)
        and generator.target.elts[0].id == node.key.id
    ):
        return call.func.value
    return None


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _assigned(function, name: str):
    """Every value `function` gives `name`: assignments, `|=`, `.update()`, `[key] =`."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if _is_name(target, name):
                    yield node.value
                elif isinstance(target, ast.Subscript) and _is_name(target.value, name):
                    yield ast.Dict(keys=[target.slice], values=[node.value])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and _is_name(node.func.value, name)
        ):
            yield from node.args
            named = [k for k in node.keywords if k.arg]
            yield ast.Dict(
                keys=[ast.Constant(k.arg) for k in named], values=[k.value for k in named]
            )


def _module_strings(tree: ast.Module) -> dict[str, set[str]]:
    """The module's constants: NAME = "text"."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = {node.value.value}
    return found


def recorded_details() -> Found:
    trees = {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
    }
    relays = {"audit_record": {Relay("detail", None, False, frozenset())}}
    while True:
        found = Found()
        changed = False
        for path, tree in trees.items():
            for function, call in _functions(tree):
                for relay in list(relays.get(_called(call) or "", ())):
                    where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
                    scan = Scan(found, relays, where, function, tree)
                    _scan_call(scan, call, relay)
                    changed |= scan.changed
        if not changed:
            return found


def _scan_call(scan: Scan, call: ast.Call, relay: Relay) -> None:
    if relay.spread:
        named = [k for k in call.keywords if k.arg and k.arg not in relay.named]
        scan.keys(ast.Dict([ast.Constant(k.arg) for k in named], [k.value for k in named]))
        for spread in (k.value for k in call.keywords if k.arg is None):
            scan.keys(spread)
        return
    argument = _action_argument(call, (relay.parameter, relay.position))
    if argument is not None:
        scan.keys(argument)


def refusal_reasons() -> dict[str, list[str]]:
    """The literal reasons given to `deny` and `require_that` (zizhu/access.py)."""
    found: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for _function, call in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            position = {"deny": 1, "require_that": 2}.get(_called(call) or "")
            argument = position and _action_argument(call, ("reason", position))
            for reason in (argument and _strings(argument)) or ():
                found.setdefault(reason, []).append(f"{path.relative_to(SOURCE.parent)}")
    return found


def _fields() -> set[str]:
    return {
        f.name
        for model in apps.get_models()
        if model.__module__.startswith("zizhu.")
        for f in model._meta.get_fields()
        if getattr(f, "verbose_name", None)
    }


def test_every_recorded_detail_key_has_a_label():
    found = recorded_details()
    spread = set().union(*SPREADS.values())

    assert sorted(k for k in found.keys if k not in KEYS) == []
    assert sorted(spread - KEYS.keys()) == []


def test_every_key_inside_a_recorded_value_is_labelled_or_a_field():
    """before/after/changes name the object's fields (shown by their verbose names); any other
    dict inside a detail is labelled like the detail itself."""
    found = recorded_details()
    inside = set(found.nested) | set().union(*NESTED.values())

    assert sorted(inside - KEYS.keys() - _fields()) == []
    assert sorted(NESTED.keys() - KEYS.keys()) == []


def test_what_the_scan_cannot_read_is_listed_by_where_it_comes_from():
    found = recorded_details()

    assert sorted(found.unread) == sorted(SPREADS)


def test_the_scan_finds_literals_relays_spreads_and_variables():
    found = recorded_details()

    assert {"category", "table", "unit", "year", "project", "rows"} <= found.keys.keys()
    assert {"need", "reason", "path"} <= found.keys.keys()  # access.deny's **detail
    assert {"unlocked_until", "submitted_at", "review_comment"} <= found.keys.keys()  # set_status
    assert {"run", "engine", "snapshot", "file_name", "language"} <= found.keys.keys()  # jobs
    assert {"first_id", "last_hash", "size_before", "to", "key"} <= found.keys.keys()  # variables
    assert {"students", "note", "usable_password", "document_name"} <= found.nested.keys()


def test_every_refusal_reason_and_permission_has_a_label():
    reasons = refusal_reasons() | recorded_details().reasons
    literal = {r: where for r, where in reasons.items() if r.isidentifier()}

    assert len(literal) >= 15
    assert sorted(set(literal) - REASONS.keys()) == []
    assert sorted(set(Action) - NEEDS.keys()) == []


def test_every_table_an_export_records_is_named_in_the_trail():
    assert TITLES.keys() == BUILDERS.keys()
    # fundreports hands its titles over when it starts (the trail imports no domain app):
    # every summary table, and the progress report's two exports
    assert TABLES.keys() == BUILDERS.keys() | {"not_filed", "children"}
    with translation.override("zh-hans"):
        assert str(value_labels("table")["levels"]) == "各级资金执行情况"
        assert str(value_labels("table")["not_filed"]) == "未填报单位"


def test_every_coded_key_reads_its_choices_from_a_model_field():
    for key in FIELDS:
        labels = value_labels(key)
        assert labels, key
        if key != "engine":  # DuckDB and Apache Spark: the engines' own names
            assert all(CJK.search(str(label)) for label in labels.values()), key


def test_every_label_is_chinese():
    labels = [*KEYS.values(), *REASONS.values(), *NEEDS.values()]
    with translation.override("zh-hans"):
        english = [str(label) for label in labels if not CJK.search(str(label))]
    assert english == []


def test_no_coded_value_reads_two_ways():
    """A key's values merged from several choices (status: a filing's or a finding's) must not
    give one code two meanings."""
    from zizhu.anomalies.models import FindingStatus
    from zizhu.funds.models import FilingStatus

    assert not set(FilingStatus.values) & set(FindingStatus.values)


def test_the_sources_are_where_the_scan_looks():
    assert all((SOURCE.parent / path).exists() for path in SPREADS)
    assert Path(SOURCE / "audit" / "detail_labels.py").exists()
