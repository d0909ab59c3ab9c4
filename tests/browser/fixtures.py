"""The one Chromium of a test process and its pages, for the browser tests and the manual's
walks (registered once in tests/conftest.py: a second sync Playwright in the same process
would fail), and the one way they sign in (`log_in`)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ZIZHU_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    # The Content-Security-Policy refuses inline scripts and styles: a page that still has one
    # raises a securitypolicyviolation event, logged here, which fails the test.
    violations: list[str] = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI); });"
    )
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or message.text.startswith("CSP violation")
            else None
        ),
    )
    yield page
    context.close()
    assert violations == [], violations


@pytest.fixture
def screenshot():
    OUTPUT.mkdir(exist_ok=True)
    return lambda page, name: page.screenshot(path=OUTPUT / f"{name}.png", full_page=True)


def log_in(page, base_url: str, username: str, password: str | None = None, *, expect_home=True):
    """Sign `username` in on the login page (cookies of an earlier user cleared first),
    entering the current one-time password when an admin role is asked for it; then wait for
    the home page, unless `expect_home` is False (e.g. a first sign-in that must change the
    initial password)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import PASSWORD

    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD if password is None else password)
    page.click("button[type=submit]")
    if "/otp/" in page.url:  # the admin roles' second factor
        device = TOTPDevice.objects.get(user__username=username)
        token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.fill("input[name=token]", f"{token:06d}")
        page.click("button[type=submit]")
    if expect_home:
        page.wait_for_url(f"{base_url}/")
