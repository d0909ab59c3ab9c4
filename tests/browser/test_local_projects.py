"""The province's local-project page in a browser at 1440 and 1024 px (screenshots in
test-output/ui-local-projects-*.png, to be looked at): add a project, retire it (the browser
asks first), and find it in a school's local-aid filing choices."""

import pytest

from tests.browser.fixtures import log_in
from tests.browser.test_ui_pages import shots
from zizhu.catalogue.models import AidProject

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_province_operator_keeps_a_local_project(live_server, users, tree, page, screenshot):
    base = live_server.url
    log_in(page, base, "province_operator")
    page.goto(f"{base}/funds/catalogue/local/")
    page.fill("#id_name", "中职学生交通补助")
    page.select_option("#id_stage", "vocational")
    page.fill("#id_standard_amount", "800")
    page.fill("#id_source", "陕教〔2026〕1号（示例）")
    page.click("[data-testid=local-project-form] button[type=submit]")
    page.wait_for_load_state()
    assert "地方资助项目已添加" in page.inner_text("main")
    shots(page, screenshot, f"{base}/funds/catalogue/local/", "local-projects")
    assert "800.00 元" in page.inner_text("[data-testid=local-projects]")

    log_in(page, base, "school_operator")
    page.goto(f"{base}/funds/filing/local/")
    assert "中职学生交通补助" in page.inner_text("select#id_project")

    log_in(page, base, "province_operator")
    page.goto(f"{base}/funds/catalogue/local/")
    project = AidProject.objects.get(name="中职学生交通补助")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"[data-testid=local-project-{project.pk}] button[type=submit]")
    page.wait_for_load_state()
    project.refresh_from_db()
    assert not project.is_active
    assert "已停用" in page.inner_text(f"[data-testid=local-project-{project.pk}]")
