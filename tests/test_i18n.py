"""The Chinese catalogue is complete: every translatable string of the source has a Chinese
translation, and the compiled catalogue matches it."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

from zizhu.recipients.models import RecipientRow
from zizhu.units.models import Unit

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "zizhu/locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
DJANGO_GAPS = ROOT / "zizhu/locale_django/zh_Hans/LC_MESSAGES/django.po"
CJK = re.compile(r"[\u4e00-\u9fff]")


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


@pytest.mark.parametrize("po_path", [PO, DJANGO_GAPS], ids=["project", "django-gaps"])
def test_it_ships_a_compiled_catalogue_that_matches(po_path):
    # keyed by context too: "Name" is 名称 for a unit and 姓名 for a person
    po = {(e.msgctxt, e.msgid): _translation(e) for e in polib.pofile(str(po_path))}
    mo_path = po_path.with_suffix(".mo")
    mo = {(e.msgctxt, e.msgid): _translation(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    assert mo == {key: text for key, text in po.items() if key[1]}


def test_djangos_own_admin_strings_all_read_in_chinese():
    """Every string of Django's admin and auth templates has Chinese: Django's own catalogue,
    or ours (zizhu/locale_django) where Django 5.2's lacks one ('Model name', …)."""
    import django

    root = Path(django.__file__).parent / "contrib"
    quoted = re.compile(r"""\{%\s*translate\s+(?:'([^']+)'|"([^"]+)")""")
    strings = {
        a or b
        for app in ("admin", "auth")
        for path in (root / app / "templates").rglob("*.html")
        for a, b in quoted.findall(path.read_text(encoding="utf-8"))
    }
    assert len(strings) > 80
    with translation.override("zh-hans"):
        english = sorted(s for s in strings if not CJK.search(translation.gettext(s)))
    assert english == []


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
