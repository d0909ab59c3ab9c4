"""The column-wise checks agree with the scalar rules of zizhu.lib, and the fast keyed hash
with zizhu.store.keys."""

import random
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from tests.registers.conftest import make_id
from zizhu.lib import idnumber, phone
from zizhu.registers.hashing import KeyHasher
from zizhu.registers.reading import Batch
from zizhu.registers.validation import check_batch
from zizhu.store.keys import person_key, phone_key

TODAY = date(2024, 11, 1)


def mutations(rng: random.Random, count: int) -> list[str]:
    """Valid IDs, and IDs with one kind of damage each."""
    values = []
    for _ in range(count):
        born = f"{rng.randint(1890, 2030)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}"
        first17 = f"{rng.randint(110000, 659999)}{born}{rng.randint(0, 999):03d}"
        value = first17 + idnumber.check_char(first17)
        damage = rng.randrange(9)
        if damage == 1:
            value = value[:-1] + rng.choice("0123456789X")
        elif damage == 2:
            value = value[: rng.randrange(18)]
        elif damage == 3:
            value = value.replace(value[rng.randrange(17)], rng.choice("aX-١"), 1)
        elif damage == 4:
            value = value.lower() if value.endswith("X") else " " + value + "\t"
        elif damage == 5:
            value = "G" + value
        elif damage == 6:
            value = value + "0"
        values.append(value)
    return values


def test_the_id_check_agrees_with_idnumber_problem():
    values = mutations(random.Random(7), 20_000)
    rows = np.arange(2, len(values) + 2)
    batch = Batch(
        rows=rows,
        columns={
            "school_code": pa.array(["3461000001"] * len(values)),
            "id_number": pa.array(values),
            "name": pa.array(["甲"] * len(values)),
            "graduation_year": pa.array(["2024"] * len(values)),
        },
    )
    checked = check_batch("graduates", batch, today=TODAY, hasher=None)
    flagged = {p.row - 2: p.message for p in checked.problems}
    expected = {
        i: idnumber.problem(v, today=TODAY)
        for i, v in enumerate(values)
        if not idnumber.is_valid(v, today=TODAY) or not v.strip().isascii()
    }
    assert set(flagged) == set(expected)
    assert 2_000 < len(flagged) < 18_000
    for i, message in flagged.items():
        assert message == (expected[i] or "身份证件号只能包含半角数字和X")


def test_the_phone_check_agrees_with_phone_problem():
    texts = [
        "13800138000",
        "+86 138 0013 8000",
        "0086-13800138000",
        "8613800138000",
        "12800138000",
        "1380013800",
        "138-0013-800a",
        "(138)00138000",
        "1３800138000",
    ]
    batch = Batch(
        rows=np.arange(2, len(texts) + 2),
        columns={
            "school_code": pa.array(["3461000001"] * len(texts)),
            "id_number": pa.array([make_id(sequence=n) for n in range(len(texts))]),
            "name": pa.array(["甲"] * len(texts)),
            "phone": pa.array(texts),
        },
    )
    checked = check_batch("enrolment", batch, today=TODAY, hasher=None)
    flagged = {p.row - 2 for p in checked.problems}
    assert flagged == {i for i, t in enumerate(texts) if not phone.is_valid(t) or not t.isascii()}


@pytest.mark.parametrize("key", [b"short", b"k" * 64, b"long" * 40, "密钥".encode()])
def test_the_fast_keyed_hash_is_the_hmac_of_store_keys(key):
    ids = [make_id(sequence=n) for n in range(300)]
    phones = [f"139{n:08d}" for n in range(300)]
    hasher = KeyHasher(key)
    assert hasher.person_keys([i.encode() for i in ids]).tolist() == [
        person_key(i, key) for i in ids
    ]
    assert hasher.phone_keys([p.encode() for p in phones]).tolist() == [
        phone_key(p, key) for p in phones
    ]
    assert hasher.person_keys([]).tolist() == []


def test_the_default_key_is_the_settings_key(settings):
    settings.ZIZHU_HASH_KEY = "another-key-for-this-test"
    assert KeyHasher().person_keys([make_id().encode()]).tolist() == [person_key(make_id())]
