from django.core.management.base import BaseCommand, CommandError

from zizhu.audit.services import audit_record
from zizhu.lib.periods import Month
from zizhu.recipients.store_export import lists_export


class Command(BaseCommand):
    help = (
        "Export the approved recipient lists of a month's term (and of the school year three "
        "years earlier) to the analytics store, keyed, for the monthly checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, *args, month, **options):
        try:
            checked = Month.parse(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        written = lists_export(month=checked)
        audit_record(action="recipients.export_store", detail={"month": month, **written})
        for period, rows in written.items():
            self.stdout.write(f"{period}\t{rows}")
