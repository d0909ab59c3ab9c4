from django.core.management.base import BaseCommand, CommandError

from zizhu.lib.tabular import TableError
from zizhu.units.files import read_divisions
from zizhu.units.services import units_import


class Command(BaseCommand):
    help = "Load GB/T 2260 divisions (all, or one province) into the unit tree."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="six-digit province code, e.g. 610000")

    def handle(self, *args, province=None, **options):
        rows = read_divisions(province)
        if not rows:
            raise CommandError(f"no divisions for province {province}")
        try:
            summary = units_import(rows=rows)
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"divisions: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged"
        )
