"""No page shows an internal code: every menu page, as each role of the fixtures, over a world
with rows everywhere (tests/exports/world.py), read as a person reads it (text, option labels,
button texts, what text boxes show filled in; not other attribute values), must not contain a
known code (tests/codes.py) or Python's None/True/False as a word. Also: irreversible actions
ask for confirmation and the tables sort."""

import re
from html.parser import HTMLParser

from tests.codes import known_codes
from tests.conftest import USERS, login_as
from tests.exports.world import build
from zizhu.web.menu import visible_menu

TOKEN = re.compile(r"[A-Za-z][A-Za-z_]+")
# Python's values rendered as text: a template showing a missing value
PYTHON_WORDS = {"None", "True", "False"}


class Visible(HTMLParser):
    """The text a person sees: text nodes outside script and style, plus titles and
    placeholders."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "data-confirm") and value:
                self.parts.append(value)
        # what a text box shows filled in (a filter's year, a search)
        kind = dict(attrs).get("type", "text")
        if (
            tag == "input"
            and kind in ("text", "number", "search", "date")
            and dict(attrs).get("value")
        ):
            self.parts.append(dict(attrs)["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def leaves(items):
    for item in items:
        if item.children:
            yield from leaves(item.children)
        elif item.url_name and not item.url_name.startswith("admin:"):
            yield item


def test_no_menu_page_shows_an_internal_code_to_any_role(client, users, tree):
    build(users, tree)
    codes = known_codes() | PYTHON_WORDS
    usernames = set(USERS)  # login names are shown in the audit log and the security page
    found, pages = [], 0
    for username in USERS:
        user = users[username]
        user.refresh_from_db()
        login_as(client, user)
        for item in leaves(visible_menu(user)):
            response = client.get(item.url(), follow=True)
            assert response.status_code == 200, (username, item.url_name)
            html = response.content.decode()
            words = set(TOKEN.findall(visible_text(html)))
            shown = sorted((words & codes) - usernames)
            if shown:
                found.append((username, item.url_name, shown))
            pages += 1
    assert found == []
    assert pages >= 60


def test_the_list_approval_confirms_and_says_it_was_done(client, users, tree):
    ids = build(users, tree)
    from zizhu.recipients.models import RecipientList

    RecipientList.objects.filter(pk=ids["list"]).update(status="submitted")
    login_as(client, users["school_reviewer"])
    page = client.get(f"/recipients/{ids['list']}/").content.decode()
    assert re.search(r'<form[^>]+/approve/"[^>]+data-confirm="[^"]+"', page)
    assert re.search(r'<label for="id_comment">退回原因</label>', page)
    response = client.post(f"/recipients/{ids['list']}/approve/", follow=True)
    assert "名单已审核通过" in response.content.decode()


def test_the_school_voucher_list_has_a_visible_delete_that_confirms(client, users, tree):
    build(users, tree)
    login_as(client, users["school_operator"])
    page = client.get("/funds/vouchers/").content.decode()
    assert 'class="link danger" data-testid="delete"' in page
    assert "data-confirm=" in page and "onsubmit" not in page
    assert 'class="grid sortable"' in page and "zizhu/sortable.js" in page
    assert "345,726,800.00 元" in page
