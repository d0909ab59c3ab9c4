"""Who may do what is decided in one layer: `zizhu.access` knows the roles, each domain's
`policy.py` builds on it, and nothing else compares a user's role (docs/architecture.md)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "zizhu"
# the modules allowed to look at a user's role
POLICY_MODULES = {"access.py", "policy.py"}
# the role's own definition and the demo's account listing (prints the role, decides nothing)
EXEMPT = {ROOT / "accounts" / "roles.py", ROOT / "demo" / "province.py"}


def _is_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "role"


def role_decisions(tree: ast.AST) -> list[int]:
    """Lines that decide on a role: `x.role == …`, `… in x.role`, `d[x.role]`, `d.get(x.role)`."""
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Compare)
            and any(_is_role(n) for n in (node.left, *node.comparators))
            or isinstance(node, ast.Subscript)
            and _is_role(node.slice)
            or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and node.args
                and _is_role(node.args[0])
            )
        ):
            lines.append(node.lineno)
    return lines


def test_the_check_finds_each_form_of_a_role_decision():
    source = "a = u.role == 'x'\nb = 'x' in (u.role,)\nc = d[u.role]\ne = d.get(u.role)\n"
    assert sorted(role_decisions(ast.parse(source))) == [1, 3, 4]
    assert role_decisions(ast.parse("f'{u.role}'\nu.role = 'x'\n")) == []


def test_no_module_outside_access_and_the_policies_decides_on_a_role():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name in POLICY_MODULES or path in EXEMPT or "migrations" in path.parts:
            continue
        for line in role_decisions(ast.parse(path.read_text(), str(path))):
            offenders.append(f"{path.relative_to(ROOT.parent)}:{line}")
    assert offenders == []


def test_no_template_decides_on_a_role():
    pattern = re.compile(r"\.role\s*(==|!=|\bin\b)|\bin\s+[\w.]*\.role\b|\.is_\w+_role\b")
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{n}"
        for path in sorted(ROOT.rglob("templates/**/*.html"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


# Which packages of zizhu each package may import (docs/architecture.md, "Layers"): downward
# only. The platform (units, accounts, audit, access, jobs) is one layer whose parts use each
# other; everything above it is a strict order; the shell (web) and the tools (demo, synth)
# are imported by nothing in the product.
PLATFORM = {"units", "accounts", "audit", "access", "jobs", "ops"}
ALLOWED = {
    "lib": set(),
    "store": {"lib"},
    **{name: PLATFORM - {name} | {"lib"} for name in PLATFORM},
    "catalogue": PLATFORM | {"lib"},
    "funds": PLATFORM | {"lib", "catalogue"},
    "vouchers": PLATFORM | {"lib", "catalogue", "funds"},
    "recipients": PLATFORM | {"lib", "store", "catalogue", "registers"},
    "registers": PLATFORM | {"lib", "store"},
    "anomalies": PLATFORM | {"lib", "store", "catalogue", "recipients"},
    "fundreports": PLATFORM | {"lib", "catalogue", "funds", "vouchers", "recipients"},
    "web": PLATFORM
    | {"lib", "catalogue", "funds", "vouchers", "recipients", "registers", "anomalies"}
    | {"fundreports"},
    "synth": {"lib", "store"},
    # the REST API: every domain, through the same policies, services and report builders
    "api": PLATFORM
    | {"lib", "store", "catalogue", "funds", "vouchers", "recipients", "registers", "anomalies"}
    | {"fundreports"},
}
ALLOWED["demo"] = set().union(*ALLOWED.values()) - {"web", "demo"} | {"synth"}
TOP = {"settings", "urls", "wsgi", "cli", "__init__"}  # the project's wiring: may import all


def imports_between_packages(root: Path = ROOT) -> set[tuple[str, str]]:
    edges = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if "migrations" in rel.parts:
            continue
        package = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "zizhu" and len(parts) > 1 and parts[1] != package:
                    edges.add((package, parts[1]))
    return edges


def upward_imports(edges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((src, dst) for src, dst in edges if src not in TOP and dst not in ALLOWED[src])


def test_every_package_imports_only_the_layers_below_it():
    edges = imports_between_packages()
    assert {src for src, _ in edges} - TOP <= set(ALLOWED), "a package without layer rules"
    assert upward_imports(edges) == []


def test_the_layer_rules_catch_an_upward_import(tmp_path):
    (tmp_path / "funds").mkdir()
    (tmp_path / "funds" / "views.py").write_text(
        "from zizhu.web.menu import trail\nfrom zizhu.access import can\n"
        "def f():\n    import zizhu.fundreports.tree\n"
    )
    edges = imports_between_packages(tmp_path)
    assert upward_imports(edges) == [("funds", "fundreports"), ("funds", "web")]
