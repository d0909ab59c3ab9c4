"""Password rules beyond Django's: character classes and "not the username"; the hasher."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
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


class ZizhuArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at the first of OWASP's equivalent settings (19 MiB, 2 passes, 1 lane): about
    20 ms of a core per check, where Django's default (100 MiB, 8 lanes) and PBKDF2 at
    1,000,000 iterations each cost about 0.2 s, which a morning's logins of 150 users turn
    into a queue (docs/adr/0020-monthly-run-plan.md, "Pages under load"). The algorithm name
    stays "argon2", so a stored hash with other parameters still verifies and is re-hashed
    with these at its next login (Django's must_update)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
