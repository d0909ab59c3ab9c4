"""A row lock takes only the rows it names. `select_for_update()` with `select_related` locks
the joined rows too (on PostgreSQL: FOR UPDATE of every table in the join) — an aid project or
a unit shared by thousands of transactions — unless it says `of=("self",)`. Such a lock made
voucher uploads deadlock with list imports under load: the upload's foreign-key check on the
project at COMMIT waited for the import, which held the project row and waited for the audit
chain's lock the upload held (docs/adr/0021)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "zizhu"


def _chain(call: ast.Call) -> list[ast.Call]:
    """The method calls of one chained expression, outermost first."""
    calls = []
    node: ast.AST = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return calls


def wide_locks(source: str) -> list[int]:
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        calls = _chain(node)
        names = {c.func.attr for c in calls}  # type: ignore[attr-defined]
        if "select_related" not in names:
            continue
        for c in calls:
            if c.func.attr == "select_for_update" and not any(  # type: ignore[attr-defined]
                k.arg == "of" for k in c.keywords
            ):
                lines.add(c.lineno)
    return sorted(lines)


def test_no_row_lock_takes_the_rows_it_joins():
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        for line in wide_locks(path.read_text())
    ]
    assert offenders == []


def test_the_check_finds_a_lock_that_joins():
    source = (
        "a = M.objects.select_for_update().select_related('p').get(pk=1)\n"
        "b = M.objects.select_related('p').select_for_update().get(pk=1)\n"
        "c = M.objects.select_for_update(of=('self',)).select_related('p').get(pk=1)\n"
        "d = M.objects.select_for_update().get(pk=1)\n"
    )
    assert wide_locks(source) == [1, 2]
