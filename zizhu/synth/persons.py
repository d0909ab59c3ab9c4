"""Synthetic persons: every attribute is a pure function of a global person index `g`.

Persons come in blocks, one per (population, province) plus small blocks for planted cases.
Inside a block of `size` persons, index j is permuted (an affine bijection modulo `size`) to u;
u picks the birth day, the area code and the sequence slot so that no two persons anywhere share
an ID number:

    day = u % days,  r = u // days,  slot = r // areas,  area = (r % areas + shift) % areas

(`shift` depends on day and slot only, so the area is a bijection of r % areas; the slot is
then turned by an amount that depends on day and area only.) Every population owns its own
range of sequence slots, and a fixed shuffle of all slots spreads the sequence numbers over
000–999, so blocks never collide either. A person's phone is
derived from `g` as well, so phones are unique unless a planted case shares one on purpose.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zizhu.lib.idnumber import CHECK_CHARS, WEIGHTS, build_id_matrix, digit_sums
from zizhu.synth.mixing import bits, mix64

EPOCH = date(1970, 1, 1)
MULTIPLIER = 1_000_000_007  # prime larger than any block, so `u` is a permutation of `j`
PHONE_SPACE = 7_000_000_000  # 13000000000 … 19999999999
PHONE_LOW = 100_000
PHONE_HIGH = PHONE_SPACE // PHONE_LOW
MAX_SLOT = 499  # sequence = 2 * slot + sex stays within 000…999

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁琳晨阳雪佳欣怡子轩涵梓萱诗雨思博文彤嘉"
)

# a masked ID as three fields: the area code, the mask, the sequence number and check character
MASKED_ID = np.dtype([("area", "S6"), ("mask", "S8"), ("tail", "<u4")])


def days_since_epoch(day: date) -> int:
    return (day - EPOCH).days


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class Block:
    name: str
    province: str  # "" for planted blocks
    base: int  # global index of the block's first person
    size: int
    first_day: int  # earliest birth date, days since 1970-01-01
    days: int
    first_slot: int
    slots: int
    areas: np.ndarray  # six-digit area codes, int64
    offset: int
    school_offsets: np.ndarray | None = None  # persons of school i: offsets[i] … offsets[i+1]

    def layout(self, j: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # x - x // n * n is x % n for x >= 0: numpy divides by a scalar much faster than it
        # takes a remainder, and the steps work in place
        u = self._permuted(j)
        r = u // self.days
        day = u - r * self.days
        areas = len(self.areas)
        slot = r // areas
        area = r - slot * areas
        area += day * 7919
        area += slot * 104_729
        area -= area // areas * areas
        # turn the slot by an amount fixed by (day, area): still a bijection, but neighbours in
        # a small block no longer all share the block's first slot
        slot += day * 40_503
        slot += area * 9_973
        slot -= slot // self.slots * self.slots
        return day, area, slot

    def birth_days(self, j: np.ndarray) -> np.ndarray:
        u = self._permuted(j)
        u -= u // self.days * self.days
        u += self.first_day
        return u.astype(np.int32)

    def _permuted(self, j: np.ndarray) -> np.ndarray:
        u = np.asarray(j, dtype=np.int64) * MULTIPLIER
        u += self.offset
        u -= u // self.size * self.size
        return u


@dataclass
class PersonSpace:
    salts: dict[str, int]
    blocks: list[Block] = field(default_factory=list)
    _by_key: dict[tuple[str, str], Block] = field(default_factory=dict)
    _slots: dict[str, int] = field(default_factory=dict)  # population → its first slot
    _next_slot: int = 1  # slot 0 would give sequence 000, which no real ID has

    @property
    def total(self) -> int:
        return self.blocks[-1].base + self.blocks[-1].size if self.blocks else 0

    def add_block(
        self,
        name: str,
        province: str,
        size: int,
        born_from: date,
        born_to: date,
        areas: np.ndarray,
        *,
        slots: int,
        school_offsets: np.ndarray | None = None,
    ) -> Block:
        days = (born_to - born_from).days + 1
        needed = -(-size // (days * len(areas)))
        if needed > slots:
            raise ValueError(
                f"block {name}/{province}: {size} persons need {needed} slots > {slots}"
            )
        # a population's blocks differ by province, hence by area code: they share slots
        first_slot = self._slots.get(name)
        if first_slot is None:
            first_slot = self._slots[name] = self._next_slot
            self._next_slot += slots
            if self._next_slot - 1 > MAX_SLOT:
                raise ValueError("out of ID sequence slots")
        block = Block(
            name=name,
            province=province,
            base=self.total,
            size=max(size, 1),
            first_day=days_since_epoch(born_from),
            days=days,
            first_slot=first_slot,
            slots=slots,
            areas=np.asarray(areas, dtype=np.int64),
            offset=(self.salts["offset"] + len(self.blocks) * 2_654_435_761) % max(size, 1),
            school_offsets=school_offsets,
        )
        self.blocks.append(block)
        self._by_key[(name, province)] = block
        return block

    def block(self, name: str, province: str = "") -> Block:
        return self._by_key[(name, province)]

    def _groups(self, g: np.ndarray):
        """(block, positions, j) for each block that the persons `g` belong to.

        A part's rows are its background persons, all of one block, then a few planted ones:
        the leading run of one block comes as a slice, so its values are copied, not scattered.
        """
        if not len(g):
            return
        bases = np.array([b.base for b in self.blocks], dtype=np.int64)
        block = self.blocks[int(np.searchsorted(bases, g[0], side="right")) - 1]
        low, high = block.base, block.base + block.size
        if g.min() >= low and g.max() < high:
            yield block, slice(None), g - low
            return
        inside = (g >= low) & (g < high)
        start = int(np.argmin(inside))  # the first row of another block
        if inside[start:].any():
            start = 0
        else:
            yield block, slice(0, start), g[:start] - low
        rest = g[start:]
        which = np.searchsorted(bases, rest, side="right") - 1
        for index in np.unique(which):
            positions = np.flatnonzero(which == index)
            block = self.blocks[int(index)]
            yield block, positions + start, rest[positions] - block.base

    def birth_days(self, g: np.ndarray) -> np.ndarray:
        out = np.empty(len(g), dtype=np.int32)
        for block, positions, j in self._groups(g):
            out[positions] = block.birth_days(j)
        return out

    def id_matrix(self, g: np.ndarray) -> np.ndarray:
        """(n, 18) ASCII matrix of the persons' ID numbers."""
        area = np.empty(len(g), dtype=np.int64)
        born = np.empty(len(g), dtype=np.int64)
        slot = np.empty(len(g), dtype=np.int64)
        for block, positions, j in self._groups(g):
            day, area_index, block_slot = block.layout(j)
            area[positions] = block.areas[area_index]
            born[positions] = day + block.first_day
            slot[positions] = block_slot + block.first_slot
        male = bits(mix64(g, self.salts["sex"]), 0, 1)
        return build_id_matrix(area, born, 2 * self.sequence_of_slot[slot] + male)

    @cached_property
    def sequence_of_slot(self) -> np.ndarray:
        """A fixed shuffle of the slots 1 … MAX_SLOT (a bijection, so IDs stay distinct)."""
        shuffled = np.random.default_rng(self.salts["offset"]).permutation(MAX_SLOT) + 1
        return np.concatenate([[0], shuffled]).astype(np.int64)

    def masked_ids(self, g: np.ndarray) -> np.ndarray:
        """(n, 18) ASCII matrix of the persons' masked IDs, `mask_matrix(id_matrix(g))`, built
        from small tables of the visible fields' digits and the hidden date's check-sum share
        instead of the full IDs."""
        out = np.empty(len(g), dtype=MASKED_ID)
        total = np.empty(len(g), dtype=np.int64)
        slot = np.empty(len(g), dtype=np.int64)
        area_field = out["area"]
        first_day = min(b.first_day for b in self.blocks)
        date_sums = _date_sums(first_day, max(b.first_day + b.days for b in self.blocks))
        for block, positions, j in self._groups(g):
            day, area_index, block_slot = block.layout(j)
            digits, sums = digit_sums(block.areas, 6, WEIGHTS[0:6])
            area_field[positions] = digits.view("S6").ravel()[area_index]
            total[positions] = sums[area_index] + date_sums[day + (block.first_day - first_day)]
            slot[positions] = block_slot + block.first_slot
        male = bits(mix64(g, self.salts["sex"]), 0, 1)
        sequence = 2 * self.sequence_of_slot[slot] + male
        total += _SEQUENCE_SUMS[sequence]
        out["mask"] = b"*" * 8
        out["tail"] = _TAILS[sequence * 11 + total % 11]
        return out.view(np.uint8).reshape(len(g), MASKED_ID.itemsize)

    def pid(self, g: np.ndarray) -> np.ndarray:
        return mix64(g, self.salts["pid"]).view(np.int64)

    def phone_key(self, phone: np.ndarray) -> np.ndarray:
        return mix64(phone, self.salts["phone"]).view(np.int64)

    def phone_number(self, phone: np.ndarray) -> np.ndarray:
        """11-digit mobile numbers (int64) for phone indexes, distinct for distinct indexes.

        Three Feistel-like rounds on the halves of the index (each round is invertible) scatter
        neighbouring indexes over the whole range 13000000000 … 19999999999.
        """
        x = np.asarray(phone, dtype=np.int64) % PHONE_SPACE
        high, low = x // PHONE_LOW, x % PHONE_LOW
        salt = self.salts["phone"]
        low = (low + (mix64(high, salt) % np.uint64(PHONE_LOW)).astype(np.int64)) % PHONE_LOW
        high = (high + (mix64(low, salt + 1) % np.uint64(PHONE_HIGH)).astype(np.int64)) % PHONE_HIGH
        low = (low + (mix64(high, salt + 2) % np.uint64(PHONE_LOW)).astype(np.int64)) % PHONE_LOW
        return 13_000_000_000 + high * PHONE_LOW + low

    def names(self, g: np.ndarray) -> pa.Array:
        hashed = mix64(g, self.salts["name"])
        surname = pa.array(SURNAMES).take(pa.array(bits(hashed, 0, 16) % len(SURNAMES)))
        first = pa.array(GIVEN).take(pa.array(bits(hashed, 16, 16) % len(GIVEN)))
        # about a third of given names have one character
        second_pool = pa.array([*GIVEN, *[""] * (len(GIVEN) // 2)])
        second = second_pool.take(pa.array(bits(hashed, 32, 16) % len(second_pool)))
        return pc.binary_join_element_wise(surname, first, second, "")


@cache
def _date_sums(first: int, last: int) -> np.ndarray:
    """The weighted digit sums of YYYYMMDD (part of an ID's check character) of the days
    first … last - 1 (days since 1970-01-01)."""
    days = np.arange(first, last).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    ymd = (
        (months.astype("datetime64[Y]").astype(np.int64) + 1970) * 10_000
        + (months.astype(np.int64) % 12 + 1) * 100
        + (days - months).astype(np.int64)
        + 1
    )
    return digit_sums(ymd, 8, WEIGHTS[6:14])[1]


_SEQUENCE_DIGITS, _SEQUENCE_SUMS = digit_sums(np.arange(1000, dtype=np.int64), 3, WEIGHTS[14:17])
# sequence * 11 + weighted sum % 11 → the last four characters, as one little-endian uint32
_TAILS = (
    np.concatenate(
        [
            np.repeat(_SEQUENCE_DIGITS, 11, axis=0),
            np.tile(np.frombuffer(CHECK_CHARS.encode("ascii"), np.uint8), 1000)[:, None],
        ],
        axis=1,
    )
    .copy()
    .view("<u4")
    .ravel()
)


def window(reference: date, youngest: int, oldest: int) -> tuple[date, date]:
    """Birth dates of persons aged `youngest` … `oldest` full years on `reference`."""
    return years_before(reference, oldest + 1) + timedelta(days=1), years_before(
        reference, youngest
    )
