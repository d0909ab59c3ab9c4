"""A row lock takes only the rows it names. `select_for_update()` on a query that joins —
through `select_related`, or silently through the model's default ordering on a related
field (a recipient list orders by its school's and project's codes) — locks the joined rows
too (on PostgreSQL: FOR UPDATE of every table in the query): an aid project or a unit shared by
thousands of transactions. Such a lock made voucher uploads deadlock with list imports under
load: the upload's foreign-key check on the project at COMMIT waited for the import, which held
the project row and waited for the audit chain's lock the upload held (docs/adr/0021). So
every row lock says `of=("self",)`."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "zizhu"


def wide_locks(source: str) -> list[int]:
    """Lines of `select_for_update` calls that do not say `of=`."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "select_for_update"
        and not any(keyword.arg == "of" for keyword in node.keywords)
    )


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
    assert wide_locks(source) == [1, 2, 4]
