"""Freeze the SQL of the report-total triggers for a new migration:
`manage.py rollups_freeze 0006_name` writes migrations/sql/0006_name.<vendor>.sql, which the
migration runs through migrations/_frozen.py (ADR 0008)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from zizhu.fundreports.rollups import frozen_sql

SQL = Path(__file__).resolve().parents[2] / "migrations" / "sql"
VENDORS = ("postgresql", "sqlite")


class Command(BaseCommand):
    help = "Write the report-total triggers' SQL for a new migration (migrations/sql/)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("migration", help="the migration's name, e.g. 0006_rollup_x")

    def handle(self, *args, migration: str, **options) -> None:
        for vendor in VENDORS:
            path = SQL / f"{migration}.{vendor}.sql"
            path.write_text(frozen_sql(vendor), encoding="utf-8")
            self.stdout.write(str(path))
