"""第四章 资助中心领导: the key figures on the home page."""

import pytest

from tests.browser.fixtures import log_in
from tests.manual.world import findings, money_to_the_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAPTER = "leader"


def test_walk_leader(live_server, users, tree, page, shots):
    money_to_the_county(tree)
    findings(users)
    log_in(page, live_server.url, "county_leader")
    assert "未处理的高风险异常信息" in page.get_by_test_id("key-figures").inner_text()
    shots(page, "leader-home", "[data-testid=key-figures]")
