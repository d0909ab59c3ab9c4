"""Who may do what is decided in one layer: `zizhu.access` knows the roles, each domain's
`policy.py` builds on it, and nothing else compares a user's role; packages import only the
layers below them; modules use each other's public names only (docs/architecture.md)."""

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


# Modules use each other's public names only: no `from x import _y`, `import x._y` or `x._y`
# where x is another module of zizhu. A private module (the compiled registers/_keyed, the
# migrations' _frozen) is for the modules of its own package, which is what its underscore says.


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def _is_module(dotted: str, root: Path) -> bool:
    """Whether `dotted` names a module of the tree at `root`: a package, a .py file, or a
    compiled extension (its .c source, or the built .so)."""
    path = root.parent.joinpath(*dotted.split("."))
    return path.is_dir() or any(path.parent.glob(f"{path.name}.*"))


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a chain of attributes on a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _private_part(target: str, package: str, root: Path) -> bool:
    """Whether `target` (`zizhu.x.y`) reaches a private name of another module from a module of
    `package`: any private part but a private module of `package` or a package above it."""
    parts = target.split(".")
    for i in range(1, len(parts)):
        if not _is_private(parts[i]):
            continue
        owner = ".".join(parts[:i])
        inside = package == owner or package.startswith(f"{owner}.")
        if not (inside and _is_module(f"{owner}.{parts[i]}", root)):
            return True
    return False


def _names_used(tree: ast.AST, package: str, root: Path) -> list[tuple[int, str]]:
    """(line, `zizhu.x.y`) for each name of the tree at `root` that a module of `package`
    imports, and for each attribute it reads of a module it imported."""
    top = root.name
    used = []
    modules = {}  # a local name bound to a module of the tree: that module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                above = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*above, *([base] if base else [])])
            if base.split(".")[0] != top:
                continue
            for alias in node.names:
                used.append((node.lineno, f"{base}.{alias.name}"))
                if _is_module(f"{base}.{alias.name}", root):
                    modules[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == top:
                    used.append((node.lineno, alias.name))
                    # `import zizhu.x.y` binds zizhu; `import zizhu.x.y as y` binds zizhu.x.y
                    modules[alias.asname or top] = alias.name if alias.asname else top
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            head, _dot, rest = (_dotted(node.value) or "").partition(".")
            if head in modules:
                owner = f"{modules[head]}.{rest}" if rest else modules[head]
                if _is_module(owner, root):
                    used.append((node.lineno, f"{owner}.{node.attr}"))
    return used


def private_imports(root: Path = ROOT) -> list[str]:
    """`path:line zizhu.x._y` for each use of another module's private name under `root`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        package = ".".join(rel.parts[:-1])  # of a package's __init__ too: the package
        tree = ast.parse(path.read_text(), str(path))
        found += [
            f"{path.relative_to(root.parent)}:{line} {target}"
            for line, target in sorted(_names_used(tree, package, root))
            if _private_part(target, package, root)
        ]
    return found


def test_no_module_imports_another_modules_private_name():
    assert private_imports() == []


def test_the_check_catches_a_private_import(tmp_path):
    root = tmp_path / "zizhu"
    for folder in ("funds/services", "registers"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("from zizhu import __version__\n")
    (root / "registers" / "_keyed.c").write_text("")
    (root / "registers" / "hashing.py").write_text("from zizhu.registers import _keyed\n")
    (root / "funds" / "models.py").write_text("")
    (root / "funds" / "services" / "filings.py").write_text("")
    (root / "funds" / "services" / "money.py").write_text(
        "from zizhu.funds.services.filings import _check_open, filing_insert\n"  # 1
        "from .filings import _clean_fields\n"  # 2
        "from django.utils.translation import gettext as _\n"
        "from zizhu.funds.models import Filing\n"
        "from zizhu.funds import services\n"
        "import zizhu.funds.services.filings as filings\n"
        "from zizhu.registers import _keyed\n"  # 7: a private module outside its package
        "Filing._meta, filings.filing_insert\n"
        "services.filings._set_status, filings._locked\n"  # 9, 9
        "import zizhu.registers._keyed\n"  # 10
    )
    assert private_imports(root) == [
        "zizhu/funds/services/money.py:1 zizhu.funds.services.filings._check_open",
        "zizhu/funds/services/money.py:2 zizhu.funds.services.filings._clean_fields",
        "zizhu/funds/services/money.py:7 zizhu.registers._keyed",
        "zizhu/funds/services/money.py:9 zizhu.funds.services.filings._locked",
        "zizhu/funds/services/money.py:9 zizhu.funds.services.filings._set_status",
        "zizhu/funds/services/money.py:10 zizhu.registers._keyed",
    ]
