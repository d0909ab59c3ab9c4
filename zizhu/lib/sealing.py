"""AES-GCM sealing of short personal values (ID, phone and bank card numbers) at rest.

A keyring is written `id:base64key,id:base64key,…`: the first key seals, every key opens, so
a new key can be put first and the rows re-sealed under it afterwards (`rotate_data_keys`).
A sealed value is text: `$<key id>$<base64(nonce ‖ ciphertext ‖ tag)>`. The associated data
names the column, so a sealed value copied into another column does not open. Nonces are 96
random bits per value: one key may seal up to 2³² values before it must be rotated.

Whole batches are sealed and opened at once (one call per column and batch), which keeps the
bulk loaders' speed: see `seal_many` / `open_many`. The compiled `_seal` module (setup.py,
zizhu/lib/_seal.c) seals a batch in one C call with OpenSSL, about 0.3 µs a value instead of
about 0.9 µs; where it was not built, the same text comes from `cryptography` in Python (tested:
the same nonces give the same sealed values either way)."""

import base64
import binascii
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

try:
    from zizhu.lib import _seal
except ImportError:  # not built: no C compiler or OpenSSL headers where it was installed
    _seal = None

NATIVE = _seal is not None
MARK = "$"
NONCE = 12
KEY_ID = re.compile(r"[A-Za-z0-9-]{1,16}")


class SealError(ValueError):
    pass


@dataclass(frozen=True)
class Keyring:
    current: str
    ciphers: dict[str, AESGCM]
    keys: dict[str, bytes] = field(default_factory=dict, repr=False)  # raw, for `_seal`

    def prefix(self, key_id: str | None = None) -> str:
        return f"{MARK}{key_id or self.current}{MARK}"

    def seal_many(
        self, values: list[str], aad: bytes, *, nonces: bytes | None = None, native: bool = NATIVE
    ) -> list[str]:
        """Each non-empty value sealed under the current key; empty values stay empty.
        `nonces` (12 bytes per value, tests only): instead of fresh random ones."""
        prefix = self.prefix()
        nonces = os.urandom(NONCE * len(values)) if nonces is None else nonces
        key = self.keys.get(self.current)
        if native and _seal is not None and key is not None:
            return _seal.seal_many(key, aad, prefix.encode("ascii"), nonces, list(values))
        encrypt = self.ciphers[self.current].encrypt
        b64 = binascii.b2a_base64  # base64.b64encode without its Python wrapper
        return [
            prefix + b64(n + encrypt(n, v.encode(), aad), newline=False).decode("ascii") if v else v
            for n, v in zip(map(nonces.__getitem__, _slices(len(values))), values, strict=True)
        ]

    def seal_array(
        self, values: pa.Array, aad: bytes, *, nonces: bytes | None = None, native: bool = NATIVE
    ) -> pa.Array:
        """`seal_many` of an Arrow string array without nulls, as a string array: sealed from
        the Arrow buffers, no Python object a value, without the GIL where `_seal` is built."""
        if values.null_count:
            raise ValueError("values to seal must not be null")
        nonces = os.urandom(NONCE * len(values)) if nonces is None else nonces
        key = self.keys.get(self.current)
        if not (native and _seal is not None and key is not None):
            sealed = self.seal_many(values.to_pylist(), aad, nonces=nonces, native=native)
            return pa.array(sealed, pa.string())
        text = values.cast(pa.string())
        at = text.offset
        offsets = np.frombuffer(text.buffers()[1], np.int32)[at : at + len(text) + 1]
        prefix = self.prefix().encode("ascii")
        ends, body = _seal.seal_arrow(key, aad, prefix, nonces, offsets, text.buffers()[2] or b"")
        return pa.StringArray.from_buffers(len(text), pa.py_buffer(ends), pa.py_buffer(body))

    def open_many(self, values: list[str], aad: bytes) -> list[str]:
        """The plaintexts of sealed values; empty values stay empty. A value that is not
        sealed, names an unknown key or fails authentication raises SealError."""
        return [self.open(v, aad) if v else v for v in values]

    def seal(self, value: str, aad: bytes) -> str:
        return self.seal_many([value], aad)[0]

    def open(self, value: str, aad: bytes) -> str:
        if not value:
            return value
        if not value.startswith(MARK):
            raise SealError("value is not sealed")
        key_id, _, body = value[1:].partition(MARK)
        cipher = self.ciphers.get(key_id)
        if cipher is None:
            raise SealError(f"no key {key_id!r} in ZIZHU_DATA_KEYS")
        try:
            raw = base64.b64decode(body, validate=True)
            return cipher.decrypt(raw[:NONCE], raw[NONCE:], aad).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise SealError(f"sealed value does not open with key {key_id!r}") from exc


def _slices(count: int) -> Iterator[slice]:
    return map(slice, range(0, NONCE * count, NONCE), range(NONCE, NONCE * count + 1, NONCE))


def is_sealed(value: str | None) -> bool:
    return bool(value) and value.startswith(MARK)


def key_id_of(value: str) -> str | None:
    return value[1:].partition(MARK)[0] if is_sealed(value) else None


@lru_cache(maxsize=8)
def parse_keyring(text: str) -> Keyring:
    """`id:base64key,…` (keys of 16, 24 or 32 bytes; ids of letters, digits and '-')."""
    ciphers: dict[str, AESGCM] = {}
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.fullmatch(key_id):
            raise SealError(f"key id {key_id!r}: use 1–16 letters, digits or '-' before ':'")
        if key_id in ciphers:
            raise SealError(f"key id {key_id!r} appears twice")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise SealError(f"key {key_id!r} is not base64") from exc
        if len(key) not in (16, 24, 32):
            raise SealError(f"key {key_id!r} must be 16, 24 or 32 bytes (32 recommended)")
        ciphers[key_id] = AESGCM(key)
        keys[key_id] = key
    if not ciphers:
        raise SealError("the keyring is empty")
    return Keyring(current=next(iter(ciphers)), ciphers=ciphers, keys=keys)


def new_key() -> str:
    """A fresh 256-bit key, base64 (for `id:` + this in ZIZHU_DATA_KEYS)."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")
