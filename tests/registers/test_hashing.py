"""The batch keyed hash in C (zizhu/registers/_keyed.c) and its Python fallback give the HMACs
of zizhu.store.keys, from lists of bytes and from fixed-width matrices."""

import numpy as np
import pytest

from tests.registers.conftest import make_id
from zizhu.registers import hashing
from zizhu.registers.hashing import KeyHasher
from zizhu.store.keys import person_key, phone_key

KEYS = [b"short", b"k" * 64, b"k" * 65, b"long" * 40, "密钥".encode()]


def matrix(values: list[str]) -> np.ndarray:
    return np.frombuffer("".join(values).encode("ascii"), np.uint8).reshape(len(values), -1)


def test_the_compiled_hash_is_built():
    # setup.py builds it with the package (pip install -e .); a checkout that shares another's
    # venv builds its own copy with `python setup.py build_ext --inplace`
    assert hashing.NATIVE, "zizhu.registers._keyed is not built (needs gcc and libssl-dev)"


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("key", KEYS)
def test_both_paths_give_the_hmac_of_store_keys(key, native):
    ids = [make_id(sequence=n) for n in range(1, 400)] + [make_id(area="110101")[:-1] + "X"]
    phones = [f"139{n:08d}" for n in range(400)]
    hasher = KeyHasher(key, native=native)
    assert hasher.native == native
    expected_ids = [person_key(i, key) for i in ids]
    expected_phones = [phone_key(p, key) for p in phones]
    assert hasher.person_keys([i.encode() for i in ids]).tolist() == expected_ids
    assert hasher.person_keys(matrix(ids)).tolist() == expected_ids
    assert hasher.phone_keys([p.encode() for p in phones]).tolist() == expected_phones
    assert hasher.phone_keys(matrix(phones)).tolist() == expected_phones
    assert hasher.person_keys(np.empty((0, 18), np.uint8)).tolist() == []
    assert hasher.phone_keys([]).tolist() == []


def test_values_of_mixed_lengths_take_the_python_path():
    values = [b"12345", b"1234567", b""]
    assert KeyHasher(b"k").person_keys(values).tolist() == [
        person_key(v.decode(), b"k") for v in values
    ]
