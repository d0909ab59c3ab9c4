"""Print what a restore must reproduce, as JSON: the ledger reconciliation and report-total
checks (rows found), the per-authority report totals, the findings export of every month with
findings, and the files of the store and media. Run in the process of a given environment:

    python -m tests.stack.figures
"""

import hashlib
import io
import json
import os
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402


def _files(root: str) -> dict[str, str]:
    base = Path(root)
    if not base.is_dir():
        return {}
    return {
        str(path.relative_to(base)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


def figures(workdir: str) -> dict:
    from zizhu.anomalies.models import Finding
    from zizhu.fundreports import models as reports
    from zizhu.fundreports.rollups import rollup_discrepancies
    from zizhu.funds.ledger import ledger_discrepancies

    totals = {
        model.__name__: sorted(
            map(
                list,
                model.objects.values_list(
                    *[f.attname for f in model._meta.concrete_fields if f.attname != "id"]
                ),
            )
        )
        for model in (
            reports.SchoolBalanceTotal,
            reports.SchoolPaymentTotal,
            reports.SchoolCount,
            reports.SchoolFilingCount,
        )
    }
    exports = {}
    for month in sorted(set(Finding.objects.values_list("month", flat=True))):
        out = Path(workdir) / f"findings-{month}.csv"
        call_command("export_findings", month=month, out=str(out), stdout=io.StringIO())
        exports[month] = out.read_text(encoding="utf-8-sig")
    return {
        "ledger_discrepancies": len(ledger_discrepancies()),
        "rollup_discrepancies": len(rollup_discrepancies()),
        "report_totals": totals,
        "findings_exports": exports,
        "store": _files(settings.ZIZHU_STORE),
        "media": _files(str(settings.MEDIA_ROOT)),
    }


if __name__ == "__main__":
    import sys

    print(json.dumps(figures(sys.argv[1]), default=str, ensure_ascii=False))
