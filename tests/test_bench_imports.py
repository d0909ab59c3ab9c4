"""Every name a benchmark imports from zizhu exists: the benchmarks import most of them inside
their functions, after Django's set-up, so a renamed or removed name would otherwise show only
when the benchmark runs (bench/jobs_bench.py once imported a constant the jobs page had
dropped)."""

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def zizhu_imports() -> list[tuple[str, str, str]]:
    found = []
    for script in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("zizhu"):
                found += [(script.name, node.module, alias.name) for alias in node.names]
    return found


def test_the_benchmarks_import_from_zizhu():
    assert len({script for script, _module, _name in zizhu_imports()}) >= 5


@pytest.mark.parametrize(("script", "module", "name"), zizhu_imports())
def test_each_imported_name_exists(script, module, name):
    imported = importlib.import_module(module)
    if not hasattr(imported, name):  # a submodule, imported by name
        importlib.import_module(f"{module}.{name}")
