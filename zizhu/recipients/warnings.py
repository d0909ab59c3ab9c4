"""Warnings that do not block an import: a recipient not found in the school's enrolment
register (the latest enrolment_vocational snapshot in the analytics store)."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.lib.periods import Month
from zizhu.lib.tabular import Problem
from zizhu.store.layout import Store, latest_snapshot

REGISTER_OF_STAGE = {
    "vocational": "enrolment_vocational",
    "senior_high": "enrolment_senior_high",
    "compulsory": "enrolment_compulsory",
}


def enrolment_warnings(school, numbers, pids, store: str | None = None):
    """Problems for the rows (their row numbers and `pid`s, lists or numpy arrays) not
    enrolled at `school` in the latest snapshot."""
    kind = REGISTER_OF_STAGE.get(school.stage)
    if kind is None:
        return []
    location = Store(store or settings.ZIZHU_STORE)
    this_month = Month.parse(timezone.localdate().strftime("%Y-%m"))
    month = latest_snapshot(location, kind, this_month)
    files = location.parquet_files(f"registers/{kind}/month={month}") if month else ()
    if not files:
        return []
    import duckdb  # here: a site's process that never reads a register need not hold DuckDB

    with duckdb.connect() as con:
        enrolled = {
            pid
            for (pid,) in con.execute(
                "SELECT DISTINCT pid FROM read_parquet(?) WHERE school_code = ?",
                [list(files), school.code],
            ).fetchall()
        }
    pids = pids.tolist() if hasattr(pids, "tolist") else pids  # numpy: Python ints once
    numbers = numbers.tolist() if hasattr(numbers, "tolist") else numbers
    missing = _("Not found in the school's enrolment register (%(month)s); please check") % {
        "month": month
    }
    return [
        Problem(number, "id_number", missing)
        for number, pid in zip(numbers, pids, strict=True)
        if pid not in enrolled
    ]
