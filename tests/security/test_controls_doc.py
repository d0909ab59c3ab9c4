"""docs/security.md lists each control with the tests that show it and the requirement it
answers: every test file and test it names exists, and every row names a GB/T 22239-2019
clause or an ASVS item."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
FILE = re.compile(r"`(tests/[\w/]+\.py)((?:::\w+)?)`")
NAME = re.compile(r"`(?:::)?(test_\w+)`")


def _test_names() -> set[str]:
    return {
        m
        for path in (ROOT / "tests").rglob("test_*.py")
        for m in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }


def test_every_test_the_controls_name_exists():
    names = _test_names()
    files = FILE.findall(DOC)
    assert len(files) >= 25
    for path, test in files:
        assert (ROOT / path).is_file(), path
        if test:
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^def {test[2:]}\b", source, re.M), path + test
    missing = sorted(set(NAME.findall(DOC)) - names)
    assert missing == []


def test_every_control_names_its_test_and_its_requirement():
    rows = [
        line
        for line in DOC.splitlines()
        if line.startswith("| ") and not line.startswith(("| control", "|---"))
    ]
    assert len(rows) >= 20
    for row in rows:
        control, _how, shown_by, requirement = (c.strip() for c in row.strip("|").split(" | "))
        assert "tests/" in shown_by or "test_" in shown_by, control
        assert re.search(r"8\.1\.\d+\.\d+|ASVS V\d+\.\d+\.\d+", requirement), control
