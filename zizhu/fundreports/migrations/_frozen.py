"""The SQL a migration froze when it was written (migrations/sql/<migration>.<vendor>.sql,
from `zizhu.fundreports.rollups.frozen_sql`): sections headed `-- <name>`, one statement per
line. Migrations run this text, never today's generator, so an old migration keeps doing what
it did. The loader ignores this module (its name starts with an underscore)."""

from pathlib import Path

SQL = Path(__file__).parent / "sql"


def statements(migration: str, vendor: str, *sections: str) -> list[str]:
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in (SQL / f"{migration}.{vendor}.sql").read_text(encoding="utf-8").splitlines():
        if line.startswith("-- "):
            current = found.setdefault(line[3:].strip(), [])
        elif line.strip():
            current.append(line)
    return [sql for section in sections for sql in found[section]]


def run(schema_editor, migration: str, *sections: str) -> None:
    for sql in statements(migration, schema_editor.connection.vendor, *sections):
        schema_editor.execute(sql, params=None)
