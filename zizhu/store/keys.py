"""Keyed hashes that replace ID numbers and phones in the analytics store."""

import hmac

from django.conf import settings


def _key() -> bytes:
    return settings.ZIZHU_HASH_KEY.encode("utf-8")


def keyed_int64(message: bytes, key: bytes) -> int:
    return int.from_bytes(hmac.digest(key, message, "sha256")[:8], "big", signed=True)


def person_key(id18: str, key: bytes | None = None) -> int:
    """`id18` must already be normalised (zizhu.lib.idnumber.normalise)."""
    return keyed_int64(id18.encode("ascii"), key or _key())


def phone_key(phone11: str, key: bytes | None = None) -> int:
    return keyed_int64(b"phone:" + phone11.encode("ascii"), key or _key())
