"""The keyed hashes of zizhu.store.keys for a million values at a time.

HMAC-SHA256 of a short message is two SHA-256 compressions after the key's inner and outer
pad blocks. `hmac.digest` hashes both pad blocks again for every message (about 4.4 µs per
ID on this machine); here they are hashed once and the two states copied per message
(about 2 µs). The result is bit for bit `keys.person_key` / `keys.phone_key` (tested).
"""

import hashlib
from collections.abc import Sequence

import numpy as np
from django.conf import settings

_BLOCK = 64  # SHA-256 block size
PHONE_PREFIX = b"phone:"


class KeyHasher:
    def __init__(self, key: bytes | None = None):
        key = key if key is not None else settings.ZIZHU_HASH_KEY.encode("utf-8")
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self._phone_inner = self._inner.copy()
        self._phone_inner.update(PHONE_PREFIX)

    def _keys(self, inner, messages: Sequence[bytes]) -> np.ndarray:
        inner_copy, outer_copy = inner.copy, self._outer.copy
        digests = []
        append = digests.append
        for message in messages:
            hashed = inner_copy()
            hashed.update(message)
            outer = outer_copy()
            outer.update(hashed.digest())
            append(outer.digest())
        if not digests:
            return np.empty(0, dtype=np.int64)
        raw = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(len(digests), 32)
        # keys.keyed_int64: the first 8 bytes, big-endian, signed
        return np.ascontiguousarray(raw[:, :8]).view(">i8").ravel().astype(np.int64)

    def person_keys(self, ids18: Sequence[bytes]) -> np.ndarray:
        """`pid` of normalised 18-character IDs given as ASCII bytes."""
        return self._keys(self._inner, ids18)

    def phone_keys(self, phones11: Sequence[bytes]) -> np.ndarray:
        """`phone_key` of normalised 11-digit mobile numbers given as ASCII bytes."""
        return self._keys(self._phone_inner, phones11)
