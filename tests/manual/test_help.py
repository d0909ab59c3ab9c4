"""The manual inside the app: every menu page of every role links to a section of the manual
that exists, every signed-in role reads it, its pictures are exactly the ones the walks write,
its words are the screens' words, and it builds into one PDF."""

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import USERS, login_as
from zizhu.catalogue.services import local_project_create
from zizhu.web.manual import IMAGE_DIR, MANUAL_DIR, chapter_files, chapters
from zizhu.web.menu import visible_menu

WALKS = Path(__file__).parent


def leaves(items):
    for item in items:
        if item.children:
            yield from leaves(item.children)
        else:
            yield item


class Anchors(HTMLParser):
    """The page's 帮助 link (data-testid=help) and every id on the page."""

    def __init__(self):
        super().__init__()
        self.help, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-testid") == "help":
            self.help.append(attrs.get("href", ""))
        if attrs.get("id"):
            self.ids.add(attrs["id"])


def parse(response) -> Anchors:
    parser = Anchors()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize("username", sorted(USERS))
def test_every_menu_page_has_a_help_link_to_a_section_that_exists(client, users, username):
    user = users[username]
    login_as(client, user)
    checked, sections = 0, {}
    for leaf in leaves(visible_menu(user)):
        response = client.get(leaf.url(), follow=True)
        assert response.status_code == 200, leaf.url_name
        links = parse(response).help
        assert len(links) == 1, f"{leaf.url_name}: {links}"
        path, _, anchor = links[0].partition("#")
        assert anchor, f"{leaf.url_name} ({username}) opens no section: {links[0]}"
        if path not in sections:
            section = client.get(path)
            assert section.status_code == 200
            sections[path] = parse(section).ids
        assert anchor in sections[path], f"{leaf.url_name} ({username}) → {links[0]}"
        checked += 1
    assert checked >= 5  # home, jobs, password, help and the role's own pages


def test_a_page_below_a_menu_leaf_opens_its_leafs_section(client, users):
    login_as(client, users["county_operator"])
    response = client.get(reverse("web:unit", args=["3661000001"]))
    assert parse(response).help == [reverse("web:help_chapter", args=["basics"]) + "#basics-units"]


def test_the_local_project_pages_open_the_section_on_local_projects(client, users):
    """【地方资助项目】 and a project's own page open the operator chapter's section on them."""
    login_as(client, users["province_operator"])
    project = local_project_create(
        province=users["province_operator"].unit,
        stage="vocational",
        name="中职学生交通补助",
        standard_amount=Decimal("800"),
        actor=None,
    )
    section = reverse("web:help_chapter", args=["operator"]) + "#operator-local-projects"
    for url in (
        reverse("catalogue:local_projects"),
        reverse("catalogue:local_project_edit", args=[project.pk]),
    ):
        assert parse(client.get(url)).help == [section]


@pytest.mark.parametrize("username", ["county_operator", "school_operator", "secadmin"])
def test_the_account_security_page_opens_the_section_on_api_tokens(client, users, username):
    """账户安全 is reached from the top bar, not the menu: every role's link opens the basics
    chapter's section on personal API tokens."""
    login_as(client, users[username])
    response = client.get(reverse("account:security"))
    help_page = reverse("web:help_chapter", args=["basics"])
    assert parse(response).help == [f"{help_page}#basics-account"]
    assert "basics-account" in parse(client.get(help_page)).ids


@pytest.mark.parametrize("username", ["county_operator", "school_reviewer", "auditor"])
def test_every_role_reads_every_chapter_and_the_pictures(client, users, username):
    login_as(client, users[username])
    index = client.get(reverse("web:help"))
    assert index.status_code == 200
    assert "下载操作手册（PDF）" in index.content.decode()
    for slug, (chapter, _html) in chapters().items():
        page = client.get(reverse("web:help_chapter", args=[slug]))
        assert page.status_code == 200
        assert chapter.title in page.content.decode()
        for name in chapter.images:
            picture = client.get(reverse("web:help_image", args=[name]))
            assert picture.status_code == 200
            assert picture["Content-Type"] == "image/png"
    assert client.get(reverse("web:help_image", args=["README.md"])).status_code == 404
    assert client.get(reverse("web:help_image", args=["nothing.png"])).status_code == 404
    assert client.get(reverse("web:help_chapter", args=["nothing"])).status_code == 404


def test_signed_out_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("web:help"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_pictures_on_disk_are_exactly_the_pictures_the_chapters_name():
    named = [name for chapter, _html in chapters().values() for name in chapter.images]
    assert len(named) == len(set(named)), "a picture belongs to one chapter"
    on_disk = {path.name for path in IMAGE_DIR.glob("*")} if IMAGE_DIR.exists() else set()
    assert on_disk == set(named)


def test_every_chapter_with_pictures_has_a_walk_that_writes_them():
    walks = {
        chapter
        for path in WALKS.glob("test_walk_*.py")
        for chapter in re.findall(r'(?:^CHAPTER = |Shots\()"([a-z-]+)"', path.read_text(), re.M)
    }
    with_pictures = {slug for slug, (chapter, _html) in chapters().items() if chapter.images}
    assert with_pictures <= walks


def test_links_between_chapters_land_on_sections_that_exist():
    known = {anchor for chapter, _ in chapters().values() for _l, anchor, _t in chapter.sections}
    for path in chapter_files():
        for target, anchor in re.findall(r"\]\(([0-9a-z-]+\.md)?#([a-z0-9-]+)\)", path.read_text()):
            assert anchor in known, f"{path.name}: {target}#{anchor}"
            if target:
                assert (MANUAL_DIR / target).exists(), f"{path.name}: {target}"


def screen_words() -> str:
    """Every Chinese string a screen can show: the catalogue's translations and the Chinese
    literals of the code and templates."""
    catalogue = polib.pofile(Path(settings.LOCALE_PATHS[0]) / "zh_Hans/LC_MESSAGES/django.po")
    texts = [entry.msgstr for entry in catalogue] + [
        text for entry in catalogue for text in entry.msgstr_plural.values()
    ]
    source = Path(settings.BASE_DIR) / "zizhu"
    for path in [*source.rglob("*.py"), *source.rglob("*.html")]:
        if "migrations" not in path.parts:
            texts.append(path.read_text())
    return "\n".join(texts)


def test_the_manual_names_buttons_fields_and_menus_in_the_screens_words():
    """**粗体** is a button, field or table heading; 【…】 a menu item or page title. Each must
    be a word some screen shows (a Django built-in word is looked up in Django's catalogue)."""
    words = screen_words() + DJANGO_WORDS
    missing = []
    for path in chapter_files():
        text = path.read_text()
        for term in re.findall(r"\*\*([^*]+)\*\*", text) + re.findall(r"【([^】]+)】", text):
            if term not in words:
                missing.append(f"{path.name}: {term}")
    assert missing == []


# words from Django's own screens (admin, password forms) the manual names
DJANGO_WORDS = "旧密码 新密码 新密码确认 增加 修改 保存 用户 单位 有效"


def weasyprint_html():
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango missing: scripts/system-packages.sh installs it
        pytest.skip(f"WeasyPrint needs Pango: {exc}")
    return HTML


def test_the_manual_builds_into_one_pdf(tmp_path):
    HTML = weasyprint_html()

    from zizhu.web.manual_pdf import build_pdf, manual_html

    out = build_pdf(tmp_path / "manual.pdf")
    assert out.read_bytes().startswith(b"%PDF")
    document = HTML(string=manual_html(), base_url=str(MANUAL_DIR)).render()
    assert len(document.pages) >= len(chapters()) + 2  # cover, contents, a page per chapter


def test_the_help_page_downloads_the_pdf(client, users, settings, tmp_path):
    weasyprint_html()
    settings.DATA_DIR = tmp_path
    login_as(client, users["school_operator"])
    response = client.get(reverse("web:help_pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
