"""Walking the audit chain (docs/adr/0021-audit-hash-chain.md)."""

from typing import Any

from zizhu.audit.chain import FIELDS, GENESIS, Break, chain_key, link
from zizhu.audit.models import AuditEvent

MISSING_BEFORE = "the events before it are missing, and no purge removed them"
UNLINKED = "it does not link to the event before it: an event between them was removed"
CHANGED = "its fields do not match its hash: it was changed after it was written"


def purge_anchors() -> set[str]:
    """The hashes of the last events the retention purges removed, as they recorded them."""
    details = AuditEvent.objects.filter(action="audit.purge").values_list("detail", flat=True)
    return {d["last_hash"] for d in details.iterator() if isinstance(d, dict) and "last_hash" in d}


def _fault(row: dict[str, Any], expected: str | None, anchors: set[str], key: bytes) -> str | None:
    if expected is None:  # the oldest event still there
        if row["prev_hash"] != GENESIS and row["prev_hash"] not in anchors:
            return MISSING_BEFORE
    elif row["prev_hash"] != expected:
        return UNLINKED
    if link(row["prev_hash"], row, key) != row["hash"]:
        return CHANGED
    return None


def audit_verify(*, batch: int = 5000) -> tuple[int, Break | None]:
    """Check every link in id order, `batch` rows at a time (never the whole trail in memory).
    Returns how many events verified and the first broken link, if any.

    The oldest event may link to an event no longer there only when a recorded purge removed
    that event; from then on each event must link to the one before it and match its hash."""
    key, anchors = chain_key(), purge_anchors()
    count, expected, after = 0, None, 0
    while rows := list(
        AuditEvent.objects.filter(id__gt=after)
        .order_by("id")
        .values("id", "prev_hash", "hash", *FIELDS)[:batch]
    ):
        for row in rows:
            fault = _fault(row, expected, anchors, key)
            if fault is not None:
                return count, Break(row["id"], row["at"], fault)
            expected, after = row["hash"], row["id"]
            count += 1
    return count, None
