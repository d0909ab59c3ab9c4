"""zizhu.lib.bulk's COPY text: what psycopg's write_row writes for the same values."""

from datetime import date
from decimal import Decimal

import pytest

from zizhu.lib.bulk import copy_text

HOSTILE = ["a\tb", "c\nd", "e\\f", "\\N", "\\.", "g\rh", 'i"j', "k'l", "m\\tn", "\b\f\v", ""]


def test_it_escapes_tabs_newlines_and_backslashes_in_text_and_writes_none_as_null():
    rows, text = copy_text([[1, 2], ["a\tb", "c\\nd"], [None, 7], ["\\N", ""]], 4)
    assert rows == 2
    assert text == b"1\ta\\tb\t\\N\t\\\\N\n2\tc\\\\nd\t7\t\n"


def test_it_writes_each_value_as_write_row_does():
    formatter = pytest.importorskip("psycopg._copy_base").TextFormatter
    from psycopg.adapt import Transformer

    columns = [
        list(range(len(HOSTILE))),
        HOSTILE,  # a column of text, some values to escape
        [f"学生{n}" for n in range(len(HOSTILE))],  # a column of text, none to escape
        [None if n % 2 else n * 10**12 for n in range(len(HOSTILE))],
        [Decimal("1150.00"), Decimal("0.5"), *[Decimal("99999.99")] * (len(HOSTILE) - 2)],
        [date(2008, 3, 15 + n) for n in range(len(HOSTILE))],
        [None if n % 3 else s for n, s in enumerate(HOSTILE)],  # text and NULL mixed
    ]
    written = formatter(Transformer())
    expected = b"".join(bytes(written.write_row(row)) for row in zip(*columns, strict=True))
    expected += bytes(written.end())

    assert copy_text(columns, len(columns)) == (len(HOSTILE), expected)


def test_it_refuses_columns_of_different_lengths_and_values_it_has_no_text_for():
    with pytest.raises(ValueError, match="lengths"):
        copy_text([[1, 2], [3]], 2)
    with pytest.raises(TypeError, match="float"):
        copy_text([[1.5, 2]], 1)
