"""The user manual (用户操作手册): Chinese Markdown in docs/manual/, one file per chapter, shown in
the page shell and built into one PDF.

Headings carry their anchor as `## 标题 {#anchor}`; pictures are `![说明](img/name.png)`, files
the manual's browser tests (tests/manual/) write on every run. `HELP_TOPICS` is the one place
that says which section of the manual explains which page: the 帮助 link of a page opens the
reader's own chapter at `<chapter>-<topic>`, or the basics chapter at `basics-<topic>` when the
topic is the same for every role.
"""

import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from markdown_it import MarkdownIt

from zizhu.access import (
    has_role,
    is_authority_operator,
    is_school_operator,
    is_school_reviewer,
)
from zizhu.accounts.roles import Role

MANUAL_DIR = Path(settings.BASE_DIR) / "docs" / "manual"
IMAGE_DIR = MANUAL_DIR / "img"
BASICS = "basics"

# the reader's chapter, by role (first match)
ROLE_CHAPTERS = (
    (is_authority_operator, "operator"),
    (lambda user: has_role(user, Role.SUPERVISOR), "supervisor"),
    (lambda user: has_role(user, Role.CENTER_LEADER), "leader"),
    (is_school_operator, "school-operator"),
    (is_school_reviewer, "school-reviewer"),
    (lambda user: has_role(user, Role.SYSADMIN), "sysadmin"),
    (lambda user: has_role(user, Role.SECADMIN), "secadmin"),
    (lambda user: has_role(user, Role.AUDITOR), "auditor"),
)

# URL name → topic. A page below a menu leaf (a filing, a finding …) uses its leaf's topic.
HELP_TOPICS: dict[str, str] = {
    "web:home": "home",
    "web:units": "units",
    "web:unit": "units",
    "web:security": "security",
    "account:security": "account",
    "funds:filing_national": "filing",
    "funds:filing_local": "filing",
    "funds:filing_school": "filing",
    "funds:filing_social": "filing",
    "catalogue:local_projects": "local-projects",
    "catalogue:local_project_edit": "local-projects",
    "funds:deadlines": "deadlines",
    "vouchers:list": "vouchers",
    "fundreports:vouchers": "vouchers",
    **{f"fundreports:details_{c}": "details" for c in ("national", "local", "school", "social")},
    **{f"fundreports:progress_{c}": "progress" for c in ("national", "local", "school", "social")},
    **{f"fundreports:summary_{c}": "summary" for c in ("national", "local", "school", "social")},
    "anomalies:national_grant": "findings",
    "anomalies:tuition_waiver": "findings",
    "recipients:list": "lists",
    "recipients:upload": "upload",
    "admin:index": "users",
    "audit:list": "audit",
    "registers:list": "registers",
    "anomalies:runs": "runs",
    "jobs:list": "jobs",
    "accounts:password_change": "password",
    "accounts:login": "login",
    "accounts:otp": "login",
    "web:help": "help",
    "web:help_chapter": "help",
}

HEADING_ID = re.compile(r"\s*\{#([a-z0-9-]+)\}\s*$")
LINK = re.compile(r"^(?:\d+-)?([a-z-]+)\.md(#[a-z0-9-]+)?$")


@dataclass
class Chapter:
    slug: str  # "operator" for docs/manual/02-operator.md
    path: Path
    title: str = ""
    sections: list[tuple[int, str, str]] = field(default_factory=list)  # (level, anchor, text)
    images: list[str] = field(default_factory=list)


def chapter_files() -> list[Path]:
    return sorted(MANUAL_DIR.glob("[0-9][0-9]-*.md"))


def slug_of(path: Path) -> str:
    return path.stem.split("-", 1)[1]


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def chapter_read(path: Path, link) -> tuple[Chapter, str]:
    """The chapter's outline and its HTML; `link(kind, target)` turns an image name or a
    manual link (slug, anchor) into a URL."""
    chapter = Chapter(slug_of(path), path)
    md = _parser()
    tokens = md.parse(path.read_text(encoding="utf-8"))
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            match = HEADING_ID.search(inline.content)
            text = HEADING_ID.sub("", inline.content)
            if match:
                token.attrSet("id", match.group(1))
                last = inline.children[-1]
                last.content = HEADING_ID.sub("", last.content)
            level = int(token.tag[1])
            if level == 1 and not chapter.title:
                chapter.title = text
            chapter.sections.append((level, match.group(1) if match else "", text))
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "image":
                    src = child.attrGet("src") or ""
                    if src.startswith("img/"):
                        chapter.images.append(src[4:])
                        child.attrSet("src", link("img", src[4:]))
                elif child.type == "link_open":
                    href = child.attrGet("href") or ""
                    target = LINK.match(href)
                    if target:
                        child.attrSet("href", link("md", (target.group(1), target.group(2) or "")))
    return chapter, md.renderer.render(tokens, md.options, {})


def _web_link(kind, target) -> str:
    if kind == "img":
        return reverse("web:help_image", args=[target])
    slug, anchor = target
    return reverse("web:help_chapter", args=[slug]) + anchor


STAMP_SECONDS = 1.0  # how long the chapters' files are taken as unchanged
_stamped: list = [float("-inf"), ()]  # (when the files were last looked at, their stamp)


def _stamp() -> tuple:
    """The chapters' names and times, looked at again at most once a second: every page's 帮助
    link reads the manual's anchors, and listing and stating its files took a page ~0.2 ms."""
    now = time.monotonic()
    if now - _stamped[0] >= STAMP_SECONDS:
        _stamped[:] = [now, tuple((p.name, p.stat().st_mtime_ns) for p in chapter_files())]
    return _stamped[1]


@cache
def _load(stamp: tuple) -> dict[str, tuple[Chapter, str]]:
    result = {}
    for path in chapter_files():
        chapter, html = chapter_read(path, _web_link)
        result[chapter.slug] = (chapter, html)
    return result


def chapters() -> dict[str, tuple[Chapter, str]]:
    """slug → (chapter, HTML for the page shell), re-read when a file changes."""
    return _load(_stamp())


@cache
def _anchors(stamp: tuple) -> dict[str, str]:
    """Every section anchor of the manual → the slug of its chapter."""
    return {
        anchor: slug
        for slug, (chapter, _html) in _load(stamp).items()
        for _level, anchor, _text in chapter.sections
        if anchor
    }


def chapter_for(user) -> str:
    for test, slug in ROLE_CHAPTERS:
        if test(user):
            return slug
    return BASICS


def _target(stamp: tuple, own: str, url_name: str) -> tuple[str, str] | None:
    """(chapter slug, anchor) of the section that explains page `url_name` to a reader of
    chapter `own`, or None when the manual has no such section (tests/manual asserts that
    never happens for a menu page)."""
    topic = HELP_TOPICS.get(url_name, "users" if url_name.startswith("admin:") else None)
    if topic is None:
        return None
    known = _anchors(stamp)
    for anchor in (f"{own}-{topic}", f"{BASICS}-{topic}"):
        if anchor in known:
            return known[anchor], anchor
    return None


def help_url(user, url_name: str) -> str:
    """The 帮助 link of page `url_name` for `user`: the same for every reader of one chapter,
    so worked out once per chapter, page and URL configuration (every page's shell shows it)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _help_url(_stamp(), chapter_for(user), url_name, get_script_prefix(), urlconf)


@cache
def _help_url(stamp: tuple, own: str, url_name: str, prefix: str, urlconf: str) -> str:
    target = _target(stamp, own, url_name)
    if target is None:
        if own not in _load(stamp):
            return reverse("web:help", urlconf=urlconf)
        return reverse("web:help_chapter", args=[own], urlconf=urlconf)
    slug, anchor = target
    return f"{reverse('web:help_chapter', args=[slug], urlconf=urlconf)}#{anchor}"
