"""The one-time-password step belongs to one recent password step."""

from tests.accounts.conftest import OTP_URL, sign_in, totp_token
from zizhu.accounts.views import PENDING_2FA, PENDING_SECONDS, PENDING_SINCE


def _secret(client) -> str:
    page = client.get(OTP_URL).content.decode()
    return page.split('data-testid="totp-secret">')[1].split("<")[0]


def test_it_refuses_a_code_entered_long_after_the_password(client, users):
    sign_in(client, "auditor")
    secret = _secret(client)
    session = client.session
    session[PENDING_SINCE] -= PENDING_SECONDS + 1
    session.save()
    response = client.post(OTP_URL, {"token": totp_token(secret)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert PENDING_2FA not in client.session
    assert client.get("/audit/").status_code == 302  # still signed out


def test_it_forgets_the_pending_step_after_signing_in(client, users):
    sign_in(client, "auditor")
    client.post(OTP_URL, {"token": totp_token(_secret(client))})
    assert client.get("/audit/").status_code == 200
    assert PENDING_2FA not in client.session
    assert PENDING_SINCE not in client.session
