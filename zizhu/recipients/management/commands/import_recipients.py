from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zizhu.catalogue.models import AidProject
from zizhu.lib.tabular import TableError, problem_line, read_column_chunks
from zizhu.recipients.models import Term
from zizhu.recipients.services import recipient_list_import
from zizhu.recipients.validation import COLUMNS
from zizhu.units.models import Level, Unit


class Command(BaseCommand):
    help = (
        "Validate a recipient list file (CSV/XLSX) and store it as the school's list for a "
        "project, school year and term. Any error: every error is printed, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True)
        parser.add_argument("--project", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--term", required=True, choices=Term.values)
        parser.add_argument("--batch", type=int, default=1)
        parser.add_argument("--dry-run", action="store_true", help="only validate")
        parser.add_argument(
            "--approve",
            action="store_true",
            help="record the list as approved (an audited administrator's bulk load)",
        )
        parser.add_argument("file")

    def handle(self, *args, **opts):
        school = Unit.objects.filter(code=opts["school"], level=Level.SCHOOL).first()
        if school is None:
            raise CommandError(f"no school with code {opts['school']}")
        project = AidProject.objects.filter(code=opts["project"]).first()
        if project is None:
            raise CommandError(f"no aid project {opts['project']}")
        try:
            with read_column_chunks(opts["file"], COLUMNS) as table:
                result = recipient_list_import(
                    school=school,
                    project=project,
                    year=opts["year"],
                    term=opts["term"],
                    batch=opts["batch"],
                    rows=table,
                    approve=opts["approve"],
                    dry_run=opts["dry_run"],
                )
        except TableError as exc:
            for problem in exc.problems:
                self.stderr.write(problem_line(problem, COLUMNS))
            raise CommandError(f"{len(exc.problems)} error(s); nothing was written") from exc
        except (ValidationError, FileNotFoundError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        for warning in result.warnings:
            self.stdout.write(f"warning row {warning.row}\t{warning.column}\t{warning.message}")
        if opts["dry_run"]:
            self.stdout.write(f"valid: {result.rows} rows (dry run, nothing written)")
        elif result.unchanged:
            self.stdout.write(
                f"unchanged: list #{result.recipient_list.pk} already has this content"
            )
        else:
            target = result.recipient_list
            self.stdout.write(
                f"stored: list #{target.pk} version {target.version} {target.status}, "
                f"{target.row_count} rows, total {target.total_amount}"
            )
