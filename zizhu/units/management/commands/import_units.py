from django.core.management.base import BaseCommand, CommandError

from zizhu.lib.tabular import TableError
from zizhu.units.files import read_units_file
from zizhu.units.services import units_import


class Command(BaseCommand):
    help = (
        "Create or update authorities and schools from a units file (CSV or XLSX), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            summary = units_import(rows=read_units_file(file))
        except TableError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was written") from exc
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"units: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged"
        )
