"""The Chinese catalogue is complete: every translatable string of the source has a Chinese
translation, and the compiled catalogue matches it."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from zizhu.recipients.models import RecipientRow
from zizhu.units.models import Unit

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "zizhu/locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def untranslated(po: polib.POFile) -> list[str]:
    return [
        e.msgid
        for e in po
        if not e.obsolete and (not e.msgstr and not e.msgstr_plural or "fuzzy" in e.flags)
    ]


def test_it_translates_every_entry_of_the_catalogue():
    assert untranslated(polib.pofile(str(PO))) == []


def _translation(entry) -> str:
    return entry.msgstr or entry.msgstr_plural.get(0, "")


def test_it_ships_a_compiled_catalogue_that_matches():
    # keyed by context too: "Name" is 名称 for a unit and 姓名 for a person
    po = {(e.msgctxt, e.msgid): _translation(e) for e in polib.pofile(str(PO)) if not e.obsolete}
    mo = {(e.msgctxt, e.msgid): _translation(e) for e in polib.mofile(str(MO)) if e.msgid}
    assert mo == po


def test_it_calls_a_person_s_name_by_the_word_for_a_person():
    assert str(RecipientRow._meta.get_field("name").verbose_name) == "姓名"
    assert str(Unit._meta.get_field("name").verbose_name) == "名称"


def test_it_has_a_catalogue_entry_for_every_string_in_the_source(tmp_path):
    """Regenerates the catalogue from the source (makemessages) and looks for gaps."""
    if not shutil.which("xgettext"):
        pytest.skip("needs GNU gettext's xgettext (apt-get install gettext)")
    original = PO.read_bytes()
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "zh_Hans",
                "--no-obsolete",
                "--no-location",
                "--ignore",
                ".venv/*",
                "--ignore",
                "tests/*",
                "--ignore",
                "bench/*",
                "-v0",
            ],
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        regenerated = polib.pofile(str(PO))
    finally:
        PO.write_bytes(original)
    assert untranslated(regenerated) == []


def test_it_speaks_chinese_by_default_even_to_an_english_browser(client, db):
    page = client.get("/accounts/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert "登录" in page.content.decode()
    assert page["Content-Language"] == "zh-hans"


def test_it_speaks_english_when_chosen_in_the_language_menu(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in client.get("/accounts/login/").content.decode()
