"""The manual's screenshots: each chapter's pictures are written by one browser test (its
"walk"), which ends by checking that it wrote exactly the pictures the chapter refers to. A
changed page therefore changes its picture on the next run, and a picture the manual names but
no walk produced fails that walk (tests/manual/test_help.py checks that every chapter with
pictures has a walk and that docs/manual/img/ holds nothing else)."""

import pytest

from zizhu.web.manual import IMAGE_DIR, chapters

OUTLINE = "3px solid #e53935"


class Shots:
    def __init__(self, chapter: str):
        self.chapter = chapter
        self.written: set[str] = set()

    def __call__(self, page, name: str, *outline: str, full_page: bool = False):
        """Save docs/manual/img/<name>.png; each selector in `outline` gets a red outline (the
        place to click), and the first of them is scrolled into view."""
        marked = []
        for selector in outline:
            locator = page.locator(selector).first
            locator.wait_for()
            locator.evaluate(
                "(el, outline) => { el.dataset.manualOutline = el.style.outline;"
                " el.style.outline = outline; el.style.outlineOffset = '2px'; }",
                OUTLINE,
            )
            marked.append(locator)
        if marked:
            marked[0].scroll_into_view_if_needed()
        IMAGE_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=IMAGE_DIR / f"{name}.png", full_page=full_page, animations="disabled")
        for locator in marked:
            locator.evaluate("el => { el.style.outline = el.dataset.manualOutline; }")
        self.written.add(f"{name}.png")

    def check(self):
        chapter, _html = chapters()[self.chapter]
        assert set(chapter.images) == self.written, (
            f"chapter {self.chapter}: referenced {sorted(chapter.images)}, "
            f"written in this run {sorted(self.written)}"
        )


@pytest.fixture
def shots(request):
    """`shots(page, name, *selectors)` for the chapter the walk's module names in CHAPTER; after
    a passing walk, the pictures it wrote must be exactly those the chapter refers to."""
    result = Shots(request.module.CHAPTER)
    yield result
    if not hasattr(request.node, "rep_call") or request.node.rep_call.passed:
        result.check()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
