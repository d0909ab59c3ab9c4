import base64
import os

import pytest

from zizhu.lib import sealing
from zizhu.lib.sealing import SealError, key_id_of, new_key, parse_keyring

A, B = new_key(), new_key()


def test_it_seals_with_the_first_key_and_opens_with_any():
    old = parse_keyring(f"old:{A}")
    sealed = old.seal("61011220080315001X", b"t.id_number")
    assert key_id_of(sealed) == "old" and "61011220080315001X" not in sealed
    both = parse_keyring(f"new:{B},old:{A}")
    assert both.open(sealed, b"t.id_number") == "61011220080315001X"
    assert key_id_of(both.seal("x", b"t.id_number")) == "new"


def test_it_gives_each_value_its_own_nonce():
    ring = parse_keyring(f"k:{A}")
    assert len(set(ring.seal_many(["13800000001"] * 3, b"t.phone"))) == 3


def test_it_leaves_empty_values_empty():
    assert parse_keyring(f"k:{A}").seal_many(["", "1"], b"c")[0] == ""


@pytest.mark.parametrize(
    "damage",
    [
        lambda v, aad: (v[:-2] + ("A" if v[-2] != "A" else "B") + v[-1], aad),  # changed byte
        lambda v, aad: (v, b"t.phone"),  # moved into another column
        lambda v, aad: (v.replace("$k$", "$x$"), aad),  # unknown key
        lambda v, aad: ("61011220080315001X", aad),  # plaintext
    ],
)
def test_it_refuses_what_does_not_authenticate(damage):
    ring = parse_keyring(f"k:{A}")
    value, aad = damage(ring.seal("61011220080315001X", b"t.id_number"), b"t.id_number")
    with pytest.raises(SealError):
        ring.open(value, aad)


@pytest.mark.parametrize(
    "text",
    ["", "nokey", f"a b:{A}", f"k:{A},k:{B}", "k:not-base64!", "k:AAAA"],
    # fixed ids: the keys are random, and both test workers must collect the same tests
    ids=["empty", "no-key", "bad-id", "duplicate-id", "not-base64", "short-key"],
)
def test_it_refuses_malformed_keyrings(text):
    with pytest.raises(SealError):
        parse_keyring(text)


def test_the_compiled_sealing_is_built():
    # setup.py builds it with the package; a checkout sharing another's venv builds its own
    # copy with `python setup.py build_ext --inplace`
    assert sealing.NATIVE, "zizhu.lib._seal is not built (needs gcc and libssl-dev)"


# every base64 padding (0, 1, 2 "="), non-ASCII text, empty values, one long value
VALUES = ["", "1", "12", "123", "13800000001", "61011220080315001X", "张三", "", "x" * 1000]


@pytest.mark.parametrize("size", [16, 24, 32])
def test_the_compiled_and_the_python_sealing_give_the_same_text(size):
    key = base64.b64encode(os.urandom(size)).decode()
    ring = parse_keyring(f"k-1:{key},old:{A}")
    nonces = os.urandom(12 * len(VALUES))
    native = ring.seal_many(VALUES, b"t.id_number", nonces=nonces, native=True)
    python = ring.seal_many(VALUES, b"t.id_number", nonces=nonces, native=False)
    assert native == python
    assert [v for v in native if not v.startswith("$k-1$")] == ["", ""]
    assert ring.open_many(native, b"t.id_number") == VALUES
    with pytest.raises(SealError):  # the associated data is part of it
        ring.open(native[1], b"t.phone")
    # the nonce is the first 12 bytes of the sealed body, as stored rows have it
    body = base64.b64decode(native[4].removeprefix("$k-1$"))
    assert body[:12] == nonces[48:60] and len(body) == 12 + 11 + 16


def test_the_compiled_sealing_refuses_what_it_cannot_seal():
    ring = parse_keyring(f"k:{A}")
    with pytest.raises(ValueError, match="12 bytes per value"):
        ring.seal_many(["1", "2"], b"c", nonces=os.urandom(12), native=True)
    with pytest.raises(TypeError):
        ring.seal_many(["1", None], b"c", native=True)  # type: ignore[list-item]


def test_an_arrow_array_is_sealed_as_seal_many_seals_its_values():
    import pyarrow as pa

    ring = parse_keyring(f"k-1:{A}")
    column = pa.array(["skipped", *VALUES, "also skipped"]).slice(1, len(VALUES))  # an offset
    nonces = os.urandom(12 * len(VALUES))
    native = ring.seal_array(column, b"t.phone", nonces=nonces, native=True)
    python = ring.seal_array(column, b"t.phone", nonces=nonces, native=False)
    assert native.type == python.type == pa.string()
    # the compiled path against the Python one, which AESGCM and binascii make
    assert native.to_pylist() == python.to_pylist()
    assert native.to_pylist() == ring.seal_many(VALUES, b"t.phone", nonces=nonces, native=False)
    assert ring.open_many(native.to_pylist(), b"t.phone") == VALUES
    for either in (True, False):
        empty = ring.seal_array(pa.array([], pa.string()), b"t.phone", native=either)
        assert empty.to_pylist() == []


def test_an_arrow_array_with_nulls_or_too_few_nonces_is_refused():
    import pyarrow as pa

    ring = parse_keyring(f"k:{A}")
    with pytest.raises(ValueError, match="must not be null"):
        ring.seal_array(pa.array(["1", None]), b"c")
    with pytest.raises(ValueError, match="12 bytes per value"):
        ring.seal_array(pa.array(["1", "2"]), b"c", nonces=os.urandom(12), native=True)
