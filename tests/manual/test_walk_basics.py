"""第一章 通用操作: signing in, the first password change, the shell and the help pages."""

import pytest

from tests.browser.fixtures import log_in
from tests.conftest import PASSWORD
from zizhu.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAPTER = "basics"
NEW_PASSWORD = "Qw9!mZr4tY"


def test_walk_sign_in_first_password_change_shell_and_help(live_server, users, tree, page, shots):
    url = live_server.url
    newcomer = User(username="wy_operator", role="operator", unit=tree["610112"])
    newcomer.set_password(PASSWORD)
    newcomer.save()  # a new account: must change the initial password first

    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "wy_operator")
    page.fill("#id_password", PASSWORD)
    shots(page, "basics-login", "button[type=submit]")

    log_in(page, url, "wy_operator", expect_home=False)
    page.wait_for_url(f"{url}/accounts/password/**")
    assert "首次登录须修改初始密码。" in page.inner_text("main")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    shots(page, "basics-password-change", "main button[type=submit]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")
    assert "密码已修改。" in page.inner_text("main")

    log_in(page, url, "county_operator")
    shots(
        page,
        "basics-shell",
        "[data-testid=help]",
        "[data-testid=menu]",
        "[data-testid=breadcrumbs]",
    )
    page.get_by_test_id("help").click()
    page.wait_for_url(f"{url}/help/operator/#operator-home")
    assert page.locator("#operator-home").is_visible()

    page.get_by_test_id("menu").get_by_role("link", name="帮助").click()
    page.wait_for_url(f"{url}/help/")
    shots(page, "basics-help", "[data-testid=manual-pdf]")  # the download: test_help.py
