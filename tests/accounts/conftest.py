"""Helpers for the sign-in tests: they go through the real sign-in form, so django-axes,
the login signals and the session rules all run as they do for a browser."""

import base64
import time

from django_otp.oath import TOTP

from tests.conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
OTP_URL = "/accounts/login/otp/"


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    """Post the sign-in form; `extra` is passed on as request META (e.g. REMOTE_ADDR)."""
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def totp_token(secret: str, *, steps: int = 0) -> str:
    """The 6-digit code an authenticator app shows for a base32 `secret`, `steps` periods
    away from now (RFC 6238: 30-second steps from t0 = 0)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps
    return f"{totp.token():06d}"
