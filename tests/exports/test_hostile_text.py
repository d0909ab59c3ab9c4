"""Stored text never becomes a formula or a hyperlink in a spreadsheet: a text of each hostile
prefix in every field a user or an import fills, through every export, read back."""

from tests.conftest import login_as

from .reading import read
from .world import exports, retext

HOSTILE = [
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1:A2)",
    "\tx=1",
    "\rx=1",
    "http://evil.example/",
    "external:\\\\evil.example\\share\\payload.exe",
    "\\\\host\\share\\x",
    "mailto:a@evil.example",
]
GUARDED = ("=", "+", "-", "@", "\t", "\r")


def test_no_export_writes_a_formula_or_a_hyperlink_from_stored_text(client, users, world):
    downloads = {}
    for name, user, path, query in exports(client, users, world):
        downloads.setdefault((name, query.get("format", "")), (user, path, query))
    for text in HOSTILE:
        retext(world, text)
        found = 0
        for (name, _fmt), (user, path, query) in downloads.items():
            login_as(client, users[user])
            export = read(client.get(path, query))
            where = (name, user, repr(text))
            cells = [str(v) for row in export.rows for v in row if v is not None]
            if export.kind == "xlsx":
                assert export.hyperlinks == 0 and export.formulas == 0, where
                assert "<f>" not in export.raw_sheet and "<hyperlink" not in export.raw_sheet
            for cell in cells:
                assert not cell.startswith(GUARDED), (where, cell)
            found += sum(1 for c in cells if text.lstrip("\t\r") in c)
        assert found >= 10, (text, found)
