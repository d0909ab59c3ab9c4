"""Password rules beyond Django's: character classes and "not the username"."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (str.islower, str.isupper, str.isdigit)


def character_classes(password: str) -> int:
    found = {i for ch in password for i, test in enumerate(CLASSES) if test(ch)}
    if any(not ch.isalnum() for ch in password):
        found.add(len(CLASSES))
    return len(found)


def _classes_rule() -> str:
    return _(
        "The password must contain at least %(n)d of: upper-case letters, lower-case letters, "
        "digits, symbols."
    ) % {"n": settings.ZIZHU_PASSWORD_MIN_CLASSES}


class CharacterClassValidator:
    def validate(self, password, user=None):
        if character_classes(password) < settings.ZIZHU_PASSWORD_MIN_CLASSES:
            raise ValidationError(_classes_rule(), code="password_too_simple")

    def get_help_text(self):
        return _classes_rule()


class NotUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if username and password.casefold() == username.casefold():
            raise ValidationError(
                _("The password must not be the same as the username."),
                code="password_is_username",
            )

    def get_help_text(self):
        return _("The password must not be the same as the username.")
