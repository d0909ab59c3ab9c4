"""Password hashing: Argon2id at OWASP's first equivalent setting (19 MiB, 2 passes, 1 lane)
first, PBKDF2 after it. A password stored as PBKDF2 (every account before the change) still
signs in, and the sign-in re-hashes it with Argon2; a wrong password changes nothing."""

import pytest
from django.contrib.auth.hashers import get_hasher, make_password

from tests.accounts.conftest import sign_in
from tests.conftest import PASSWORD

# the project's hashers as configured (the suite's autouse fixture swaps in MD5 for speed)
HASHERS = [
    "zizhu.accounts.passwords.ZizhuArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = HASHERS


def test_the_settings_put_argon2_first_and_keep_pbkdf2():
    # read from the settings module itself: the autouse fixture has replaced the setting
    import zizhu.settings as project_settings

    assert project_settings.PASSWORD_HASHERS == HASHERS


def test_a_new_password_is_argon2id_with_the_chosen_cost(real_hashers):
    encoded = make_password("Harbour7kettle")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert get_hasher("default").verify("Harbour7kettle", encoded)


def test_an_old_pbkdf2_password_signs_in_and_is_rehashed(real_hashers, client, users):
    user = users["county_operator"]
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert sign_in(client, user.username).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)


def test_argon2_with_other_costs_verifies_and_is_brought_to_these(real_hashers, client, users):
    """A hash of Django's own Argon2 default (100 MiB, 8 lanes) is accepted and re-hashed."""
    user = users["county_operator"]
    hasher = get_hasher("argon2")
    stronger = type("Default", (type(hasher),), {"memory_cost": 102400, "parallelism": 8})()
    user.password = stronger.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in user.password
    assert sign_in(client, user.username).status_code == 302
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password


def test_a_wrong_password_leaves_the_old_hash_alone(real_hashers, client, users):
    user = users["county_operator"]
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.password = old
    user.save(update_fields=["password"])
    assert sign_in(client, user.username, "Wrong-password-1").status_code == 200
    user.refresh_from_db()
    assert user.password == old
