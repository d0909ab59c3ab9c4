"""第一章 通用操作: signing in, the first password change, the shell, the help pages and a
personal API token made and revoked on 账户安全."""

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

    account = page.get_by_test_id("account")  # in the top bar: white on blue, like 帮助
    assert account.evaluate("el => getComputedStyle(el).color") == "rgb(255, 255, 255)"
    account.click()
    page.wait_for_url(f"{url}/account/security/")
    page.fill("#id_name", "财务系统对接")
    page.fill("#id_days", "30")
    create = "main form button:text-is('创建令牌')"
    shots(page, "basics-token-create", create, "[data-testid=account]")
    page.click(create)
    token = page.locator("#new-token").inner_text()
    assert token.startswith("zz_")
    tokens = page.locator("main table.grid")
    assert "财务系统对接" in tokens.inner_text() and "有效" in tokens.inner_text()
    shots(page, "basics-token-list", "#new-token", "main td button:text-is('吊销')")
    page.click("main td button:text-is('吊销')")
    assert "令牌已吊销。" in page.inner_text("main")
    assert "已吊销" in page.locator("main table.grid").inner_text()
    assert token not in page.content()  # shown once only
