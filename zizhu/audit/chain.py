"""The hash chain that makes the audit trail tamper-evident (docs/adr/0021-audit-hash-chain.md).

Each event stores `prev_hash`, the hash of the event before it, and `hash`, an HMAC-SHA-256
over `prev_hash` and a canonical form of its own fields, keyed with a key derived from
ZIZHU_HASH_KEY. Editing, inserting or deleting a row breaks a link that `verify` finds, and
without the key nobody can compute new links.

The canonical form is part of the stored contract: changing it breaks every chain."""

import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from typing import Any

from django.conf import settings
from django.db import connection

GENESIS = "0" * 64
# 'zizhuaud' as a 64-bit integer: the transaction-level advisory lock of the chain's head
LOCK_KEY = int.from_bytes(b"zizhuaud", "big")
FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "unit_code",
    "action",
    "object_type",
    "object_id",
    "result",
    "ip",
    "detail",
)


def chain_key() -> bytes:
    """The chain's own key, derived from ZIZHU_HASH_KEY (one secret, separate uses)."""
    secret = settings.ZIZHU_HASH_KEY.encode("utf-8")
    return hmac.new(secret, b"zizhu audit chain v1", hashlib.sha256).digest()


def _number(value: int | float) -> str:
    # PostgreSQL's jsonb gives back 1e20 as 100000000000000000000 and keeps 1.0 as 1.0: the
    # normalised decimal is the same either way
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    with localcontext(prec=1000):
        return str(exact.normalize())


def _json(value: object) -> str:
    """A canonical text of a JSON value: sorted keys, normalised numbers, no spaces."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return (
            "{"
            + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_json(v)}" for k, v in items)
            + "}"
        )
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical(values: dict[str, Any]) -> bytes:
    """The event's fields as the database gives them back, in one fixed text."""
    at: datetime = values["at"]
    ip = values["ip"]
    fields = {
        **{name: values[name] for name in FIELDS},
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "ip": str(ipaddress.ip_address(ip)) if ip else "",
    }
    return _json(fields).encode("utf-8")


def link(prev_hash: str, values: dict[str, Any], key: bytes | None = None) -> str:
    """The hash of an event whose predecessor's hash is `prev_hash`."""
    message = prev_hash.encode("ascii") + b"\n" + canonical(values)
    return hmac.new(key or chain_key(), message, hashlib.sha256).hexdigest()


def lock_head() -> None:
    """Hold the chain's head until the transaction ends, so that two events can never link to
    the same predecessor. SQLite needs nothing: its transactions begin IMMEDIATE (one writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


@dataclass(frozen=True)
class Break:
    """The first event whose link does not hold."""

    event_id: int
    at: datetime
    reason: str
