"""The sidebar menu as the shell writes it: every visible leaf a link in its groups, the
current page's leaf (and only it) marked, labels escaped."""

import re

from tests.conftest import login_as
from zizhu.web.menu import MenuItem, menu_html


def sidebar(html: str) -> str:
    return re.search(r'<nav class="sidebar".*?</nav>', html, re.S).group(0)


def leaves_of(items: list[MenuItem]) -> list[MenuItem]:
    """The menu's leaves (its links), depth first, in the order the sidebar shows them."""
    found = []
    for item in items:
        found += leaves_of(item.children) if item.children else [item]
    return found


def test_it_links_every_visible_leaf_and_marks_the_current_page(client, users):
    login_as(client, users["county_operator"])
    response = client.get("/jobs/")
    nav = sidebar(response.content.decode())
    leaves = leaves_of(response.context["menu"])
    links = re.findall(r'<a href="([^"]+)"( class="active" aria-current="page")?>', nav)
    assert [href for href, _active in links] == [item.url() for item in leaves]
    assert [href for href, active in links if active] == ["/jobs/"]
    assert nav.count("<details open><summary>") == nav.count("</details>") > 0


def test_labels_are_escaped():
    html = menu_html([MenuItem("<b>组</b>", children=[MenuItem("a&b", "web:home")])], [])
    assert html == (
        '<ul><li class="group"><details open><summary>&lt;b&gt;组&lt;/b&gt;</summary>'
        '<ul><li><a href="/">a&amp;b</a></li></ul></details></li></ul>'
    )


def test_labels_follow_each_requests_language(client, users, settings):
    # one process, three requests: a label cached in the first request's language would
    # show Chinese to the English user or English to the Chinese one
    login_as(client, users["county_operator"])
    for language, shown, hidden in (
        ("zh-hans", "后台任务", "Background jobs"),
        ("en", "Background jobs", "后台任务"),
        ("zh-hans", "后台任务", "Background jobs"),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        nav = sidebar(client.get("/jobs/").content.decode())
        assert f'aria-current="page">{shown}</a>' in nav, language
        assert hidden not in nav, language


def test_a_link_is_the_address_of_its_page(client, users):
    from django.urls import reverse

    login_as(client, users["county_operator"])
    response = client.get("/jobs/")
    leaves = leaves_of(response.context["menu"])
    assert leaves
    assert all(item.url() == reverse(item.url_name) for item in leaves)


def test_each_user_and_page_gets_its_own_menu_though_it_is_built_once(client, users):
    """The shell keeps each shown menu's HTML (per leaves shown, current page, language):
    two roles and two pages in one process each get their own links and current leaf."""
    from django.urls import reverse

    seen = {}
    for role in ("county_operator", "school_operator", "county_operator"):
        client.logout()
        login_as(client, users[role])
        for path in ("/jobs/", "/"):
            response = client.get(path)
            nav = sidebar(response.content.decode())
            links = re.findall(r'<a href="([^"]+)"( class="active" aria-current="page")?>', nav)
            leaves = [reverse(item.url_name) for item in leaves_of(response.context["menu"])]
            assert [href for href, _active in links] == leaves, (role, path)
            assert [href for href, active in links if active] == [path], (role, path)
            seen.setdefault(role, set()).add(tuple(leaves))
    assert seen["county_operator"] != seen["school_operator"]
