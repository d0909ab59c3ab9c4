"""Each migration that installs the report-total triggers runs the SQL it froze
(zizhu/fundreports/migrations/sql/), and the latest frozen SQL is what rollups.py generates
today: changing what the triggers do without a migration that freezes it fails here."""

import ast
from pathlib import Path

import pytest

from zizhu.fundreports import rollups
from zizhu.fundreports.migrations import _frozen

MIGRATIONS = Path(_frozen.__file__).parent
VENDORS = ("postgresql", "sqlite")


def frozen_migrations() -> list[str]:
    return sorted({path.name.split(".")[0] for path in _frozen.SQL.glob("*.sql")})


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_latest_migration_froze_the_sql_rollups_generates(vendor):
    latest = frozen_migrations()[-1]
    assert (MIGRATIONS / f"{latest}.py").exists()
    text = (_frozen.SQL / f"{latest}.{vendor}.sql").read_text(encoding="utf-8")
    assert text == rollups.frozen_sql(vendor), (
        f"rollups.py generates other SQL than {latest} froze: add a migration and run "
        "`manage.py rollups_freeze <its name>`"
    )


def test_no_migration_imports_the_generator():
    for path in sorted(MIGRATIONS.parent.parent.glob("*/migrations/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not any(name and "rollups" in name for name in imported), path


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_frozen_file_has_the_sections_its_migration_runs(vendor):
    for migration in frozen_migrations():
        for section in ("triggers", "rebuild", "drop"):
            assert _frozen.statements(migration, vendor, section), (migration, section)
