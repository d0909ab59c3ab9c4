"""A second factor (TOTP) for the three admin roles; business roles sign in with a password.

The first sign-in of an admin shows the key to put into an authenticator app; a code from it
confirms the device. An admin session without the second factor is never let through.
"""

import base64
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import LOGIN_URL, OTP_URL, sign_in, totp_token
from tests.conftest import PASSWORD
from zizhu.audit.models import AuditEvent

ADMINS = ["sysadmin", "secadmin", "auditor"]


def shown_secret(response) -> str:
    match = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', response.content.decode())
    assert match, "the set-up page shows no key"
    return match.group(1)


def wrong_token(secret: str) -> str:
    """A code that is valid in none of the accepted periods (now and one either side)."""
    valid = {totp_token(secret, steps=s) for s in (-1, 0, 1)}
    return next(t for t in (f"{n:06d}" for n in range(1_000_000)) if t not in valid)


@pytest.mark.parametrize("username", ADMINS)
def test_it_asks_an_admin_for_the_second_factor_after_the_password(client, users, username):
    response = sign_in(client, username)

    assert response.status_code == 302
    assert response["Location"] == OTP_URL
    assert SESSION_KEY not in client.session
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"].startswith(LOGIN_URL)


def test_it_shows_the_key_on_the_first_sign_in(client, users):
    sign_in(client, "auditor")

    response = client.get(OTP_URL)

    assert response.status_code == 200
    secret = shown_secret(response)
    assert len(secret) == 32  # 160 bits in base32
    device = TOTPDevice.objects.get(user=users["auditor"])
    assert device.confirmed is False
    assert 'src="data:image/svg+xml' in response.content.decode()  # the QR code


def test_it_keeps_the_same_key_until_it_is_confirmed(client, users):
    sign_in(client, "auditor")
    first = shown_secret(client.get(OTP_URL))
    assert shown_secret(client.get(OTP_URL)) == first
    assert TOTPDevice.objects.filter(user=users["auditor"]).count() == 1


@pytest.mark.parametrize("username", ADMINS)
def test_it_signs_in_with_a_code_from_the_shown_key_and_confirms_the_device(
    client, users, username
):
    sign_in(client, username)
    secret = shown_secret(client.get(OTP_URL))

    response = client.post(OTP_URL, {"token": totp_token(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(users[username].pk)
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.get(user=users[username]).confirmed is True
    assert AuditEvent.objects.filter(action="totp.setup", actor_username=username).exists()
    assert AuditEvent.objects.filter(
        action="login", result="success", actor_username=username
    ).exists()


def test_it_asks_only_for_the_code_once_the_device_is_confirmed(client, users):
    device = TOTPDevice.objects.create(user=users["auditor"], name="default", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    sign_in(client, "auditor")

    page = client.get(OTP_URL)
    assert 'data-testid="totp-secret"' not in page.content.decode()

    response = client.post(OTP_URL, {"token": totp_token(secret)})
    assert response.status_code == 302
    assert client.get("/audit/").status_code == 200


def test_it_goes_on_to_the_page_asked_for_after_the_code(client, users):
    client.post(LOGIN_URL, {"username": "auditor", "password": PASSWORD, "next": "/audit/"})
    secret = shown_secret(client.get(OTP_URL))

    response = client.post(OTP_URL, {"token": totp_token(secret)})

    assert response["Location"] == "/audit/"


def test_it_ignores_a_next_page_on_another_site(client, users):
    client.post(
        LOGIN_URL,
        {"username": "auditor", "password": PASSWORD, "next": "https://evil.example/"},
    )
    secret = shown_secret(client.get(OTP_URL))

    response = client.post(OTP_URL, {"token": totp_token(secret)})

    assert response["Location"] == "/"


def test_it_refuses_a_wrong_code_and_audits_it(client, users):
    sign_in(client, "auditor")
    secret = shown_secret(client.get(OTP_URL))

    response = client.post(OTP_URL, {"token": wrong_token(secret)})

    assert response.status_code == 200
    assert "动态口令" in response.content.decode()
    assert response.context["form"].errors["token"]
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302
    assert TOTPDevice.objects.get(user=users["auditor"]).confirmed is False
    event = AuditEvent.objects.get(action="login.otp")
    assert (event.actor_username, event.result) == ("auditor", "failure")


def test_it_refuses_a_code_used_twice(client, users):
    sign_in(client, "auditor")
    secret = shown_secret(client.get(OTP_URL))
    token = totp_token(secret)
    client.post(OTP_URL, {"token": token})
    client.post("/accounts/logout/")

    sign_in(client, "auditor")
    response = client.post(OTP_URL, {"token": token})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_it_needs_the_password_step_before_the_code_step(client, users):
    response = client.get(OTP_URL)
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL


@pytest.mark.parametrize("username", ["county_operator", "school_reviewer"])
def test_it_signs_in_a_business_role_without_a_second_factor(client, users, username):
    response = sign_in(client, username)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("username", ADMINS)
def test_it_sends_an_admin_session_without_the_second_factor_back_to_sign_in(
    client, users, username
):
    client.force_login(users[username])  # password-level session only

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
    assert SESSION_KEY not in client.session
    assert "管理员须通过动态口令验证。" in client.get(LOGIN_URL).content.decode()
