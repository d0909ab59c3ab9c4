import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zizhu.anomalies.models import Finding
from zizhu.anomalies.selectors import exchange_table
from zizhu.audit.services import audit_record
from zizhu.lib.exports import to_csv, to_xlsx
from zizhu.lib.periods import Month


class Command(BaseCommand):
    help = (
        "Write the findings of a month, one row per finding: month, rule, risk, programme, "
        "school_code, id_number, counterpart_school_code, counterpart_kind, detail. ID numbers "
        "are masked unless --unmasked (administrators only; audited)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--unmasked", action="store_true", help="full ID numbers (audited)")
        parser.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")

    def handle(self, *args, month, unmasked, out, **options):
        try:
            month = str(Month.parse(month))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        path = Path(out)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError("--out must end in .csv or .xlsx")
        findings = Finding.objects.filter(month=month)
        id_numbers = None
        if unmasked:
            try:
                from zizhu.recipients.selectors import id_numbers_for_rows as id_numbers
            except ImportError:
                self.stderr.write(
                    "warning: zizhu.recipients cannot resolve ID numbers here; "
                    "the export shows masked ID numbers"
                )
        missing: list[int] = []
        table = exchange_table(findings, id_numbers, missing)
        body = to_xlsx(table) if path.suffix.lower() == ".xlsx" else to_csv(table)
        path.write_bytes(body)
        audit_record(
            action="anomalies.export_unmasked" if id_numbers else "anomalies.export",
            username=f"cli:{getpass.getuser()}",
            detail={
                "month": month,
                "rows": table.written,
                "out": str(path),
                "masked": not id_numbers,
            },
        )
        if missing:
            self.stderr.write(
                f"warning: {len(missing)} findings name list rows that are not in the database "
                "(e.g. generated data); their ID numbers stay masked"
            )
        self.stdout.write(f"{table.written} findings written to {path}")
