"""Approved recipient lists into the analytics store (docs/analytics-store.md, `lists/`).

For a checked month M: the lists of M's school year and term, and both terms of the school
year three years earlier — the lists *in force*: approved versions only (a superseded version
is replaced by its successor, a draft or a list under review is not checked). Rows go out in
chunks straight from a values query; the ID number itself never leaves the database — only
its keyed hash, the birth date and a masked form.

A check run writes them into a folder of its own (`runs/run=<id>/`) and records the versions
it used; `export_lists` writes them to the store's shared `lists/` folder as a tool.
"""

import pyarrow as pa
from django.conf import settings
from django.db.models import Q, QuerySet

from zizhu.lib import idnumber
from zizhu.lib.periods import AUTUMN, SPRING, Month
from zizhu.recipients.models import RecipientList, RecipientRow, Status
from zizhu.store.layout import lists_partition
from zizhu.store.schemas import LISTS_SCHEMA
from zizhu.store.writer import PartitionWriter

PROGRAMMES = {
    "vocational_tuition_waiver": "tuition_waiver",
    "vocational_national_grant": "national_grant",
}
CHUNK = 50_000
FIELDS = (
    "id",
    "recipient_list__school__code",
    "recipient_list__school__stage",
    "recipient_list__project__code",
    "pid",
    "birth_date",
    "phone_key",
    "id_number",
)


def periods_for(month: Month) -> list[tuple[int, str]]:
    three_years_ago = month.school_year - 3
    return [(month.school_year, month.term), (three_years_ago, AUTUMN), (three_years_ago, SPRING)]


def lists_in_force(month: Month) -> QuerySet[RecipientList]:
    """The approved list versions a check of `month` reads (every school, every stage)."""
    periods = Q()
    for year, term in periods_for(month):
        periods |= Q(year=year, term=term)
    return RecipientList.objects.filter(periods, status=Status.APPROVED)


def _table(chunk: list[tuple]) -> pa.Table:
    columns = list(zip(*chunk, strict=True))
    return pa.table(
        {
            "row_id": columns[0],
            "school_code": columns[1],
            "stage": columns[2],
            "project": columns[3],
            "programme": [PROGRAMMES.get(p) for p in columns[3]],
            "pid": columns[4],
            "birth_date": columns[5],
            "phone_key": columns[6],
            "id_masked": [idnumber.mask(i) for i in columns[7]],
        },
        schema=LISTS_SCHEMA,
    )


def lists_export(
    *,
    month: Month,
    store: str | None = None,
    lists: QuerySet[RecipientList] | None = None,
) -> dict[str, int]:
    """Write each period's partition (replacing it atomically); rows written per partition.

    `lists` (default: `lists_in_force(month)`) are the list versions to write; a run passes
    the versions it recorded, so that what it checks is exactly what it lists on its page."""
    chosen = lists_in_force(month) if lists is None else lists
    written: dict[str, int] = {}
    for year, term in periods_for(month):
        rows = (
            RecipientRow.objects.filter(
                recipient_list__in=chosen.filter(year=year, term=term).values("pk")
            )
            .order_by("id")
            .values_list(*FIELDS)
        )
        writer = PartitionWriter(
            store or settings.ZIZHU_STORE, lists_partition(year, term), LISTS_SCHEMA
        )
        try:
            chunk: list[tuple] = []
            for row in rows.iterator(chunk_size=CHUNK):
                chunk.append(row)
                if len(chunk) == CHUNK:
                    writer.write(_table(chunk))
                    chunk = []
            if chunk:
                writer.write(_table(chunk))
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        written[f"{year}-{term}"] = writer.rows
    return written
