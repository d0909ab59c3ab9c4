"""Each app of zizhu says in its package docstring what it owns and what it may import, and
points to the layers in docs/architecture.md (which tests/test_layering.py enforces)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "zizhu"


def undocumented_packages(root: Path = ROOT) -> list[str]:
    missing = []
    for init in sorted(root.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        says_imports = re.search(r"(?i)\bimport|platform layer", doc)
        if not doc or "docs/architecture.md" not in doc or not says_imports:
            missing.append(init.parent.name)
    return missing


def test_every_app_says_what_it_owns_and_may_import():
    assert undocumented_packages() == []


def test_the_check_finds_a_package_without_a_docstring(tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "__init__.py").write_text(
        '"""Owns x. Imports only zizhu.lib. Layers: docs/architecture.md."""\n'
    )
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "__init__.py").write_text("")
    (tmp_path / "vague").mkdir()
    (tmp_path / "vague" / "__init__.py").write_text('"""Owns y."""\n')
    assert undocumented_packages(tmp_path) == ["bare", "vague"]
