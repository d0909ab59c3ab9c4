"""Cheap, vectorised, deterministic pseudo-randomness keyed by integers.

Every attribute of a synthetic person is a pure function of its global index, so a person
looks the same in every file it appears in, however the files are chunked.
"""

import numpy as np

_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def mix64(values: np.ndarray, salt: int) -> np.ndarray:
    """SplitMix64 finaliser of `values ^ salt` (uint64): a bijection, so no two inputs collide."""
    x = np.asarray(values).astype(np.uint64) ^ np.uint64(salt & 0xFFFF_FFFF_FFFF_FFFF)
    x ^= x >> _S30
    x *= _C1
    x ^= x >> _S27
    x *= _C2
    x ^= x >> _S31
    return x


def _field(hashed: np.ndarray, start: int, width: int) -> np.ndarray:
    """`width` bits of a mix64 result from bit `start`, as uint64."""
    return (hashed >> np.uint64(start)) & np.uint64((1 << width) - 1)


def bits(hashed: np.ndarray, start: int, width: int) -> np.ndarray:
    """`width` bits of a mix64 result from bit `start`, as int64."""
    return _field(hashed, start, width).astype(np.int64)


def below(hashed: np.ndarray, start: int, share: float, width: int = 12) -> np.ndarray:
    """True for about `share` of the rows, decided by `width` bits of `hashed` from `start`
    (compared as uint64: no int64 copy of the field)."""
    return _field(hashed, start, width) < np.uint64(round(share * (1 << width)))


def salts(seed: int, count: int) -> list[int]:
    """`count` independent 64-bit salts for a seed."""
    hashed = mix64(np.arange(count, dtype=np.uint64) + np.uint64(0x9E37_79B9), seed * 7919 + 17)
    return [int(v) for v in hashed]
