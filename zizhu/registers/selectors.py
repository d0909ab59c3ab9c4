"""Reads of register snapshots. Only the system administrator reaches them (views `require`
Action.MANAGE_REGISTERS); snapshots belong to the whole installation, not to a unit."""

from collections.abc import Mapping

from django.db.models import QuerySet

from zizhu.lib.periods import MONTH_RE
from zizhu.registers.models import Kind, Snapshot, Status


def snapshots(filters: Mapping[str, str]) -> tuple[QuerySet[Snapshot], dict[str, str]]:
    """Snapshots newest first, narrowed by the `kind`, `month` and `status` of `filters`."""
    queryset = Snapshot.objects.select_related("created_by")
    kind = filters.get("kind", "")
    month = filters.get("month", "").strip()
    status = filters.get("status", "")
    if kind in Kind.values:
        queryset = queryset.filter(kind=kind)
    else:
        kind = ""
    if MONTH_RE.match(month):
        queryset = queryset.filter(month=month)
    else:
        month = ""
    if status in Status.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    return queryset, {"kind": kind, "month": month, "status": status}


def current_snapshots() -> dict[str, Snapshot]:
    """The latest current snapshot month of each kind."""
    latest: dict[str, Snapshot] = {}
    for snapshot in Snapshot.objects.filter(status=Status.DONE).order_by("kind", "-month"):
        latest.setdefault(snapshot.kind, snapshot)
    return latest
