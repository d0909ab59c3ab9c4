import pytest

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
