"""Password rules: at least 8 characters, 3 of 4 character classes (configurable), not a
common password, not the username. Checked through Django's validate_password, i.e. with the
validators exactly as AUTH_PASSWORD_VALIDATORS configures them."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from zizhu.accounts.models import User
from zizhu.accounts.passwords import character_classes


def refusal_codes(password: str, username: str = "li.ming") -> set[str]:
    """The codes of the rules that refuse `password` (empty when it is accepted)."""
    try:
        validate_password(password, user=User(username=username))
    except ValidationError as exc:
        return {error.code for error in exc.error_list}
    return set()


def test_it_accepts_a_long_password_with_three_classes():
    assert refusal_codes("Harbour7kettle") == set()


def test_it_refuses_seven_characters_and_accepts_eight():
    assert refusal_codes("Kx7#pL2") == {"password_too_short"}
    assert refusal_codes("Kx7#pL2q") == set()


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("harbourkettle", 1),  # lower case only
        ("harbour7kettle", 2),  # lower + digit
        ("HARBOUR-KETTLE", 2),  # upper + symbol
        ("Harbour7kettle", 3),  # upper + lower + digit
        ("Harbour7kettle!", 4),
    ],
)
def test_it_counts_character_classes(password, classes):
    assert character_classes(password) == classes


def test_it_refuses_two_character_classes_by_default():
    assert refusal_codes("harbour7kettle") == {"password_too_simple"}
    assert refusal_codes("HARBOUR-KETTLE") == {"password_too_simple"}


def test_it_reads_the_number_of_classes_from_the_settings(settings):
    settings.ZIZHU_PASSWORD_MIN_CLASSES = 2
    assert refusal_codes("harbour7kettle") == set()
    assert refusal_codes("harbourkettle") == {"password_too_simple"}

    settings.ZIZHU_PASSWORD_MIN_CLASSES = 4
    assert refusal_codes("Harbour7kettle") == {"password_too_simple"}
    assert refusal_codes("Harbour7kettle!") == set()


def test_it_refuses_a_common_password_even_with_four_classes():
    # "p@ssw0rd" is on Django's list of common passwords; the check ignores case.
    assert refusal_codes("P@ssw0rd") == {"password_too_common"}


def test_it_refuses_the_username_as_password_whatever_the_case():
    assert "password_is_username" in refusal_codes("wei.zhang88", username="Wei.Zhang88")
    assert "password_is_username" in refusal_codes("WEI.ZHANG88", username="wei.zhang88")


def test_it_explains_the_refusal_in_chinese():
    with pytest.raises(ValidationError) as excinfo:
        validate_password("harbour7kettle", user=User(username="li.ming"))
    assert excinfo.value.messages == ["密码须包含大写字母、小写字母、数字、符号中的至少 3 类。"]
