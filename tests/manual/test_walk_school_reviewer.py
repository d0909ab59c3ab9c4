"""第六章 学校业务审核人员: approving a submitted recipient list from the to-do."""

import pytest

from tests.browser.fixtures import log_in
from tests.manual.world import grant
from tests.recipients.factories import make_list
from zizhu.recipients.models import RecipientList, Status
from zizhu.recipients.services import recipient_list_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAPTER = "school-reviewer"


def test_walk_school_reviewer(live_server, users, tree, page, shots):
    url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # confirmations of irreversible acts
    grant()
    submitted = make_list(tree["3661000001"], 11, 23, 35, actor=users["school_operator"])
    recipient_list_submit(recipient_list=submitted, actor=users["school_operator"])

    log_in(page, url, "school_reviewer")
    assert "待审核的资助名单" in page.get_by_test_id("todo").inner_text()
    page.get_by_test_id("todo").get_by_role("link", name="1").first.click()
    page.get_by_test_id("recipient-lists").get_by_role("link", name="中职国家助学金").click()
    shots(page, "school-reviewer-list", "button:text-is('审核通过')")
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state()
    assert RecipientList.objects.get().status == Status.APPROVED
