"""A question asked before an action (`data-confirm`) is asked only where page.js looks for
it: on the `<form>` being submitted. On a button inside the form it is never asked."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "zizhu"
TAG = re.compile(r"<(\w+)\b[^<>]*\bdata-confirm=", re.DOTALL)


def confirming_tags() -> list[tuple[str, str]]:
    """(file, tag name) of every element of the product's templates and Python-built HTML
    that carries `data-confirm`."""
    found = []
    for path in [*ROOT.rglob("*.html"), *ROOT.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        found += [(str(path.relative_to(ROOT)), m.group(1)) for m in TAG.finditer(text)]
    return found


def test_every_confirmation_sits_on_the_form_it_guards():
    tags = confirming_tags()
    assert len(tags) >= 10  # the deletes, approvals, returns, submissions and allocations
    assert [(path, tag) for path, tag in tags if tag != "form"] == []


def test_page_js_reads_the_question_from_the_submitted_form():
    script = (ROOT / "web/static/zizhu/page.js").read_text(encoding="utf-8")
    assert 'addEventListener("submit"' in script
    assert 'form.getAttribute("data-confirm")' in script
