from datetime import date

import numpy as np
import pytest

from zizhu.lib import idnumber

# (first 17 digits, check character): the GB 11643 example, a widely cited one, and vectors
# computed with the recursive form of ISO 7064 MOD 11-2 below
CHECK_VECTORS = [
    ("11010519491231002", "X"),
    ("44052418800101001", "4"),
    ("61010219900101123", "1"),
    ("11010120000101001", "0"),
    ("32010219880808003", "1"),
]


def iso7064_recursive(digits: str) -> str:
    """ISO 7064 MOD 11-2 in its recursive form, independent of the weights table."""
    p = 0
    for digit in digits:
        p = (p + int(digit)) * 2 % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


@pytest.mark.parametrize(("first17", "check"), CHECK_VECTORS)
def test_it_computes_the_check_character(first17, check):
    assert idnumber.check_char(first17) == check
    wrong = "0" if check != "0" else "1"
    if first17[6:10] >= "1900":  # the 1880 example fails the birth-date check first
        assert "校验位" in idnumber.problem(first17 + wrong, today=date(2025, 10, 1))


def test_it_agrees_with_the_recursive_form_of_the_algorithm():
    rng = np.random.default_rng(3)
    for number in rng.integers(10**16, 10**17, 2_000):
        assert idnumber.check_char(str(number)) == iso7064_recursive(str(number))


def test_each_remainder_maps_to_its_check_character():
    # 0..10 → 1 0 X 9 8 7 6 5 4 3 2
    assert [idnumber.CHECK_CHARS[r] for r in range(11)] == list("10X98765432")


def test_it_normalises_case_space_and_student_numbers():
    assert idnumber.normalise(" 11010519491231002x ") == "11010519491231002X"
    assert idnumber.normalise("G11010519491231002X") == "11010519491231002X"
    assert idnumber.normalise("g11010519491231002x") == "11010519491231002X"
    assert idnumber.problem("G11010519491231002x") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "为空"),
        ("1101051949123100", "18位"),
        ("1101051949123100AX", "数字"),
        ("11010519491231002Y", "数字"),
        ("110105194902300020", "有效日期"),  # 30 February
        ("110105189912310024", "不合理"),  # before 1900
        ("110105203001010010", "不合理"),  # in the future
        ("110105194912310021", "校验位"),
    ],
)
def test_it_says_what_is_wrong(value, reason):
    assert reason in idnumber.problem(value, today=date(2025, 10, 1))


def test_a_valid_id_has_no_problem():
    assert idnumber.problem("11010519491231002X") is None
    assert idnumber.problem("610102199001011231") is None
    assert idnumber.is_valid("610102199001011231")


def test_a_retired_area_code_is_still_valid():
    first17 = "99999920000101001"
    assert idnumber.problem(first17 + idnumber.check_char(first17)) is None


def test_it_reads_birth_date_and_sex():
    assert idnumber.birth_date("11010519491231002X") == date(1949, 12, 31)
    assert idnumber.sex("11010519491231002X") == "female"  # sequence 002
    assert idnumber.sex("440524188001010014") == "male"  # sequence 001


def test_it_masks_the_birth_date():
    assert idnumber.mask("610102199001011238") == "610102********1238"
    assert idnumber.mask("g11010519491231002x") == "110105********002X"
    assert idnumber.mask("12345") == "********"


def test_it_builds_many_valid_ids_at_once():
    rng = np.random.default_rng(7)
    n = 5_000
    area = rng.integers(110000, 659999, n)
    born = rng.integers(-25_000, 20_000, n)  # days since 1970-01-01
    sequence = rng.integers(0, 1000, n)
    matrix = idnumber.build_id_matrix(area, born, sequence)
    ids = idnumber.matrix_to_strings(matrix)
    assert all(idnumber.problem(value) is None for value in ids)
    expected = np.datetime64("1970-01-01") + born.astype("timedelta64[D]")
    assert [idnumber.birth_date(v) for v in ids[:50]] == expected[:50].tolist()
    assert [int(v[14:17]) for v in ids[:50]] == sequence[:50].tolist()
    assert [idnumber.sex(v) for v in ids[:50]] == [
        "male" if s % 2 else "female" for s in sequence[:50]
    ]
    masked = idnumber.matrix_to_strings(idnumber.mask_matrix(matrix[:3]))
    assert masked == [idnumber.mask(v) for v in ids[:3]]


def test_the_vectorised_builder_agrees_with_the_check_character():
    matrix = idnumber.build_id_matrix(
        np.array([110105]), np.array(["1949-12-31"], dtype="datetime64[D]"), np.array([2])
    )
    assert idnumber.matrix_to_strings(matrix) == ["11010519491231002X"]


def test_it_refuses_full_width_digits():
    assert idnumber.problem("１１０１０５１９４９１２３１００２X") is not None
