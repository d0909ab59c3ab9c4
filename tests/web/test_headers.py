"""Every page as each role: a Content-Security-Policy without inline scripts, no inline script,
event handler or style attribute in the HTML (the policy would block them), and
`Cache-Control: no-store` on every authenticated response, exports included.

The pages are the menu's (links of the rendered menu) and every GET of the permission matrix
that the role may open (detail pages, exports, downloads)."""

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import USERS, login_as
from tests.test_permission_matrix import OBJECT_BUILDERS, _entries

INLINE_OK_TYPES = {"application/json"}  # json_script: data, never executed


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.menu: list[str] = []
        self._in_menu = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not values.get("src") and values.get("type") not in INLINE_OK_TYPES:
            self.problems.append(f"inline <script> {values}")
        for name, _value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style attribute")
        if tag == "nav" and values.get("data-testid") == "menu":
            self._in_menu = 1
        elif self._in_menu and tag == "a" and values.get("href", "").startswith("/"):
            self.menu.append(values["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_menu = 0


def _directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def check_response(path: str, response, *, authenticated: bool) -> list[str]:
    problems = []
    if authenticated and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{path}: Cache-Control {response.get('Cache-Control')!r}")
    if not response.get("Content-Type", "").startswith("text/html"):
        return problems
    policy = _directives(response.get("Content-Security-Policy", ""))
    scripts = policy.get("script-src", policy.get("default-src"))
    if not scripts:
        problems.append(f"{path}: no script-src/default-src in CSP")
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
        problems.append(f"{path}: CSP allows inline scripts: {scripts}")
    if "'unsafe-inline'" in policy.get("style-src", []):
        problems.append(f"{path}: CSP allows inline styles")
    scan = _Scan()
    scan.feed(response.content.decode())
    problems += [f"{path}: {p}" for p in scan.problems]
    return problems


def _menu_links(client) -> list[str]:
    scan = _Scan()
    scan.feed(client.get("/").content.decode())
    return scan.menu


@pytest.mark.parametrize("username", sorted(USERS))
def test_it_sends_csp_and_no_store_on_every_page_of_each_role(client, users, username):
    objects: dict[str, int] = {}
    for build in OBJECT_BUILDERS:
        objects.update(build(users))
    login_as(client, users[username])
    paths = {
        path.format(**objects)
        for _name, method, path, table in _entries()
        if method == "GET" and table.get(username) == 200
    }
    menu = _menu_links(client)
    assert menu or username in ("sysadmin", "secadmin", "auditor"), "no menu links found"
    paths |= set(menu)
    problems = []
    html = 0
    for path in sorted(paths):
        response = client.get(path)
        if response.status_code == 302:  # a menu group or a redirecting page: follow it once
            path = response["Location"]
            response = client.get(path)
        if response.status_code != 200:
            problems.append(f"{path}: HTTP {response.status_code}")
            continue
        problems += check_response(path, response, authenticated=True)
        html += response["Content-Type"].startswith("text/html")
    assert problems == []
    assert html >= 3, "too few pages crawled"


def test_it_sends_csp_on_the_login_page(client):
    response = client.get("/accounts/login/")
    assert check_response("/accounts/login/", response, authenticated=False) == []
    assert re.search(r"default-src 'self'", response["Content-Security-Policy"])


def test_it_notices_what_the_crawl_must_refuse():
    from django.http import HttpResponse

    page = HttpResponse(
        '<script>alert(1)</script><script type="application/json">{}</script>'
        '<a onclick="x()">x</a><div style="height:1px"></div>'
    )
    page["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    problems = check_response("/p/", page, authenticated=True)
    assert len(problems) == 5, problems  # no-store, unsafe-inline, script, onclick, style
