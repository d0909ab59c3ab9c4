from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zizhu.lib.periods import Month
from zizhu.lib.tabular import TableError, problem_line
from zizhu.registers.kinds import FILE_COLUMNS, KINDS
from zizhu.registers.services import register_import
from zizhu.store.schemas import shape_of


class Command(BaseCommand):
    help = (
        "Validate a register file (CSV, XLSX or Parquet) and make it the snapshot of a register "
        "kind for a month in the analytics store, replacing the previous one. Any error: every "
        "error is printed (row, column, reason) and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--dry-run", action="store_true", help="only validate")
        parser.add_argument("file")

    def handle(self, *args, **opts):
        try:
            month = str(Month.parse(opts["month"]))
        except ValueError as exc:
            raise CommandError(f"--month {opts['month']!r} is not YYYY-MM") from exc
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            snapshot = register_import(
                kind=opts["kind"], month=month, path=path, dry_run=opts["dry_run"]
            )
        except TableError as exc:
            for problem in exc.problems:
                self.stderr.write(problem_line(problem, FILE_COLUMNS[shape_of(opts["kind"])]))
            raise CommandError(f"{len(exc.problems)} error(s); nothing was written") from exc
        if opts["dry_run"]:
            self.stdout.write(f"valid: {snapshot.rows} rows (dry run, nothing written)")
        else:
            self.stdout.write(
                f"imported: {snapshot.rows} rows written as the {snapshot.kind} snapshot of "
                f"{snapshot.month} (#{snapshot.pk}) to {snapshot.store_path}"
            )
