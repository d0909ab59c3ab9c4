"""The one Chromium of a test process and its pages, for the browser tests and the manual's
walks (registered once in tests/conftest.py: a second sync Playwright in the same process
would fail)."""

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
