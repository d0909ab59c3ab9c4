"""第三章 业务主管领导: the key figures on the home page."""

import pytest

from tests.browser.fixtures import log_in
from tests.manual.world import findings, money_to_the_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAPTER = "supervisor"


def test_walk_supervisor(live_server, users, tree, page, shots):
    money_to_the_county(tree)
    findings(users)
    log_in(page, live_server.url, "county_supervisor")
    figures = page.get_by_test_id("key-figures")
    assert "国家资助资金执行率" in figures.inner_text()
    shots(page, "supervisor-home", "[data-testid=key-figures]")
