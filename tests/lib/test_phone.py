import pytest

from zizhu.lib import phone


@pytest.mark.parametrize(
    "raw",
    ["13812345678", " 138 1234 5678 ", "138-1234-5678", "+86 138 1234 5678", "8613812345678",
     "0086-13812345678", "(138)12345678"],
)  # fmt: skip
def test_it_normalises_to_eleven_digits(raw):
    assert phone.normalise(raw) == "13812345678"
    assert phone.problem(raw) is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "为空"),
        ("1381234567a", "数字"),
        ("1381234567", "11位"),
        ("138123456789", "11位"),
        ("12812345678", "13–19"),
        ("02988776655", "13–19"),
    ],
)
def test_it_says_what_is_wrong(raw, reason):
    assert reason in phone.problem(raw)


def test_it_masks_the_middle_digits():
    assert phone.mask("+86 138-1234-5678") == "138****5678"
    assert phone.mask("123") == "***********"


def test_it_refuses_full_width_digits():
    assert phone.problem("13８００１３８０００") is not None
