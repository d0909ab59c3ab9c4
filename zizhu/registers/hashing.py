"""The keyed hashes of zizhu.store.keys for a million values at a time.

HMAC-SHA256 of a short message is two SHA-256 compressions after the key's inner and outer
pad blocks. The compiled `_keyed` module (setup.py) runs the whole batch in C, about 0.1 µs a
value; where it was not built, the pad blocks are hashed once and the two states copied per
message in Python (about 0.65 µs; `hmac.digest` hashes both pad blocks again every time, about
1.6 µs). Either way the result is bit for bit `keys.person_key` / `keys.phone_key` (tested).
"""

import hashlib
from collections.abc import Sequence

import numpy as np
from django.conf import settings

try:
    from zizhu.registers import _keyed
except ImportError:  # not built: no C compiler or OpenSSL headers where it was installed
    _keyed = None

_BLOCK = 64  # SHA-256 block size
PHONE_PREFIX = b"phone:"
NATIVE = _keyed is not None


class KeyHasher:
    def __init__(self, key: bytes | None = None, *, native: bool = NATIVE):
        key = key if key is not None else settings.ZIZHU_HASH_KEY.encode("utf-8")
        self._key = key
        self.native = native and NATIVE
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self._phone_inner = self._inner.copy()
        self._phone_inner.update(PHONE_PREFIX)

    def _keys(self, inner, prefix: bytes, messages: Sequence[bytes] | np.ndarray) -> np.ndarray:
        if isinstance(messages, np.ndarray):  # (n, width) uint8, one value per row
            matrix = np.ascontiguousarray(messages, dtype=np.uint8)
            if self.native:
                return self._native(prefix, matrix, matrix.shape[1])
            messages = matrix.view(f"S{matrix.shape[1]}").ravel().tolist()
        if not len(messages):
            return np.empty(0, dtype=np.int64)
        if self.native:
            width = len(messages[0])
            if width and all(len(m) == width for m in messages):
                return self._native(prefix, b"".join(messages), width)
        inner_copy, outer_copy = inner.copy, self._outer.copy
        digests = []
        append = digests.append
        for message in messages:
            hashed = inner_copy()
            hashed.update(message)
            outer = outer_copy()
            outer.update(hashed.digest())
            append(outer.digest())
        raw = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(len(digests), 32)
        # keys.keyed_int64: the first 8 bytes, big-endian, signed
        return np.ascontiguousarray(raw[:, :8]).view(">i8").ravel().astype(np.int64)

    def _native(self, prefix: bytes, data: bytes | np.ndarray, width: int) -> np.ndarray:
        if not len(data):
            return np.empty(0, dtype=np.int64)
        return np.frombuffer(_keyed.keyed_int64s(self._key, prefix, data, width), np.int64)

    def person_keys(self, ids18: Sequence[bytes] | np.ndarray) -> np.ndarray:
        """`pid` of normalised 18-character IDs: ASCII bytes, or an (n, 18) uint8 matrix."""
        return self._keys(self._inner, b"", ids18)

    def phone_keys(self, phones11: Sequence[bytes] | np.ndarray) -> np.ndarray:
        """`phone_key` of normalised 11-digit mobile numbers: ASCII bytes, or an (n, 11)
        uint8 matrix."""
        return self._keys(self._phone_inner, PHONE_PREFIX, phones11)
