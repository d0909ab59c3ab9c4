"""The UTF-8 check of a register CSV (Arrow's validator, block by block) says what Python's
strict codec says, whatever the bytes and wherever the blocks end."""

import random

import pytest

from zizhu.registers import reading

EDGES = [
    b"",
    "学校标识码,身份证件号\n".encode(),
    "\ufeff姓名".encode(),
    b"\xed\xa0\x80",  # a surrogate
    b"\xc0\xaf",  # an overlong slash
    b"\xe0\x80\xaf",  # overlong, three bytes
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\xf0\x9f\x98\x80",  # an emoji
    b"\xe4\xb8",  # a character cut short
    b"\x80abc",  # a continuation without a lead
    b"\xff\xfe",
    "中文".encode("gb18030"),
]


def python_says(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def samples(rng: random.Random, count: int) -> list[bytes]:
    pieces = ["a", "中", "😀", "\u00e9", "\n", ","]
    values = []
    for _ in range(count):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))).encode()
        if rng.random() < 0.5 and text:
            at = rng.randrange(len(text))
            text = text[:at] + bytes([rng.randrange(256)]) + text[at + 1 :]
        values.append(text)
    return values


def test_it_agrees_with_the_codec_on_edge_cases_and_random_bytes():
    for data in EDGES + samples(random.Random(3), 5_000):
        assert reading.is_utf8(data) == python_says(data), data


@pytest.mark.parametrize("block", [1, 2, 3, 5, 7, 64])
def test_blocks_ending_inside_a_character_change_nothing(tmp_path, monkeypatch, block):
    monkeypatch.setattr(reading, "CSV_BLOCK_BYTES", block)
    path = tmp_path / "f.csv"
    for data in EDGES + samples(random.Random(block), 300):
        path.write_bytes(data)
        assert reading._utf8_file(path) == python_says(data), data
