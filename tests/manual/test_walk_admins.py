"""第七、八、九章: the system administrator's users, registers and check runs; the security
administrator unlocking an account; the audit administrator's log."""

import pytest
from axes.models import AccessAttempt

from tests.browser.fixtures import log_in
from tests.manual.conftest import Shots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAPTER = "sysadmin"


def test_walk_sysadmin(live_server, users, page, shots):
    url = live_server.url
    log_in(page, url, "sysadmin")
    page.goto(f"{url}/admin/")
    shots(page, "sysadmin-users", "#content-main tr.model-user")
    page.goto(f"{url}/registers/upload/")
    page.select_option("select[name=kind]", "enrolment_senior_high")
    page.fill("input[name=month]", "2025-10")
    shots(page, "sysadmin-registers", "form[enctype] button[type=submit]")
    page.goto(f"{url}/anomalies/runs/")
    page.get_by_test_id("run-form").locator("input[name=month]").fill("2025-10")
    shots(page, "sysadmin-runs", "[data-testid=run-form] button[type=submit]")


def test_walk_secadmin(live_server, users, page):
    url = live_server.url
    shots = Shots("secadmin")
    # five wrong passwords lock the account (as django-axes records them)
    AccessAttempt.objects.create(
        username="county_operator",
        ip_address="127.0.0.1",
        user_agent="Chromium",
        get_data="",
        post_data="",
        http_accept="text/html",
        path_info="/accounts/login/",
        failures_since_start=5,
    )
    log_in(page, url, "secadmin")
    page.goto(f"{url}/security/")
    unlock = "main td form button[type=submit]"
    shots(page, "secadmin-security", unlock)
    page.click(unlock)
    assert "已解除 county_operator 的锁定。" in page.inner_text("main")
    shots.check()


def test_walk_auditor(live_server, users, page):
    url = live_server.url
    shots = Shots("auditor")
    log_in(page, url, "auditor")
    page.goto(f"{url}/audit/")
    assert "auditor" in page.get_by_test_id("audit").inner_text()
    shots(page, "auditor-audit", "main form button[type=submit]")
    shots.check()
