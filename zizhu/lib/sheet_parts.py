"""The first sheet of an XLSX workbook read by calamine in parts, on two cores.

calamine parses a sheet without holding the GIL, but one sheet on one thread: a
100,000-row list spends about as long in that parse as in everything the import does after
it. Here the sheet's XML is cut between two `<row>` elements into parts; each part becomes a
workbook of its own, written to a scratch file (the original's other parts, the sheet's head
and tail around that part's rows, stored uncompressed; calamine reads a file as it parses,
where it would copy bytes handed to it whole). The first part, the smaller, is parsed on
the caller's thread while a helper thread parses the others; its rows are handed on while
the others are still being parsed, so checking them and parsing the rest share the cores.

The rows come as `iter_rows()` of the whole sheet would give them, but each from column A
(the empty cells before the sheet's first used column included) and as long as its part's
widest row: every row from the sheet's first (the empty ones above the first cell
included), in order, the same cells at the same columns. Rows read whole are laid out so too.

A workbook is read whole when cutting it could change what is read or would not pay: a
small sheet, a sheet not found through the workbook's own relationships, prefixed element
names, a DOCTYPE, CDATA or comments in the sheet, a cut row without its `r` attribute; and
when calamine refuses a part, the whole workbook is parsed so that its own error (or its
rows, from where the parts' stopped) decides.
"""

import io
import posixpath
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from isal import isal_zlib
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from zizhu.lib.scratch import scratch_folder
from zizhu.lib.uploads.spreadsheets import stored_bytes

PARTS = 3  # the first on the caller's thread, the others one after the other on the helper
FIRST_SHARE = 0.3  # of the rows in the first part, checked while the rest is parsed
SPLIT_FROM = 4 << 20  # a sheet's XML below this size (~10,000 rows) is parsed whole

Row = list[Any]  # calamine's cells: str, float, int, bool, date, datetime, time, timedelta

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SMALL_PART = 1 << 20  # the workbook part and its relationships are read only up to this
# what reading a workbook's parts may raise, for a file its check then refuses
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    zlib.error,
    isal_zlib.error,
)


def first_sheet_rows(
    data: bytes, check: Callable[[], None], limit: int, parts: int = PARTS
) -> Generator[Row, None, None]:
    """The rows of the workbook's first sheet (module docstring), a generator: close it
    when it is not read to the end. `check` (the file's check: it raises to refuse the file)
    runs in a thread while the parts are written, and calamine parses nothing before it has
    passed; writing the parts inflates at most `limit` bytes, as the check does. The first
    part (or the whole sheet) is parsed before this returns, raising calamine's error; the
    others' errors are raised where their rows would be."""
    if parts < 2 or not _large(data):
        check()  # most lists: no thread, no scratch folder, calamine's read as it always was
        return _whole(data)
    pool = ThreadPoolExecutor(max_workers=1)
    folder = tempfile.TemporaryDirectory(dir=scratch_folder())
    try:
        checked = pool.submit(check)
        try:
            cut = _cut_workbook(data, parts, limit)
        except _UNREADABLE:
            cut = None  # the check, then the whole workbook's parse, say why
        written = cut.written(Path(folder.name)) if cut is not None else iter(())
        first = next(written, None)
        checked.result()  # a refusal is raised before calamine parses anything
        if first is not None:
            later = [pool.submit(_parse_file, path) for path in written]
            del cut, written  # the sheet's XML
            try:
                sheet = _parse_file(first)
            except (CalamineError, ValueError):
                pass  # parsed whole below: its error, or its rows, are the file's
            else:
                return _joined(data, sheet, later, pool, folder)
    except BaseException:
        _done(pool, folder)
        raise
    _done(pool, folder)
    return _whole(data)


def _parse_file(path: Path) -> CalamineSheet:
    with CalamineWorkbook.from_path(str(path)) as workbook:
        return workbook.get_sheet_by_index(0)


def _whole(data: bytes) -> Generator[Row, None, None]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return _from_column_a(sheet, sheet.iter_rows())


def _from_column_a(sheet: CalamineSheet, rows: Iterable[Row]) -> Generator[Row, None, None]:
    """`sheet`'s rows each from column A: calamine's start at the first used column."""
    left = sheet.start[1] if sheet.start is not None else 0
    if not left:
        yield from rows
        return
    empty = [""] * left
    for row in rows:
        yield [*empty, *row]


def _joined(
    data: bytes,
    first: CalamineSheet,
    later: list[Future[CalamineSheet]],
    pool: ThreadPoolExecutor,
    folder: tempfile.TemporaryDirectory[str],
) -> Generator[Row, None, None]:
    """The parts' rows in order, each part's padding rows above its first row (those of the
    parts before it) skipped; when calamine refuses a part, the whole sheet's from there."""
    try:
        given = 0  # rows given so far
        for part in [None, *later]:
            try:
                sheet = first if part is None else part.result()
            except (CalamineError, ValueError):
                yield from islice(_whole(data), given, None)
                return
            if sheet.end is not None:  # a part of empty rows has none
                yield from _from_column_a(sheet, islice(sheet.iter_rows(), given, None))
                given = sheet.end[0] + 1
    finally:
        _done(pool, folder)


def _done(pool: ThreadPoolExecutor, folder: tempfile.TemporaryDirectory[str]) -> None:
    pool.shutdown(cancel_futures=True)
    folder.cleanup()


@dataclass
class _Cut:
    """A workbook's first sheet cut into parts: its path in the workbook, the workbook's other
    parts (name, content) and the sheet's XML a part at a time (head, rows, tail)."""

    name: str
    others: list[tuple[str, bytes]]
    pieces: list[tuple[bytes, memoryview, bytes]]

    def written(self, folder: Path) -> Iterator[Path]:
        """Each part as a workbook file in `folder`, stored uncompressed, one at a time."""
        for number, piece in enumerate(self.pieces):
            path = folder / f"{number}.xlsx"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as part:
                for other, content in self.others:
                    part.writestr(other, content)
                with part.open(self.name, "w") as sheet:
                    for bit in piece:
                        sheet.write(bit)
            yield path


def _large(data: bytes) -> bool:
    """Whether some part of the workbook is SPLIT_FROM or more (read from its directory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(entry.file_size >= SPLIT_FROM for entry in archive.infolist())
    except _UNREADABLE:
        return False  # the check says why


def _read_entry(data: bytes, entry: zipfile.ZipInfo) -> bytes:
    """`ZipFile.read` of a stored or deflated entry, inflated by ISA-L (twice zlib's speed:
    the sheet of a 100,000-row list in ~25 ms instead of ~50). As zipfile does, it inflates
    no more than the declared size (this runs before the file's check has ended) and checks
    the size and the CRC."""
    raw = stored_bytes(data, entry)
    if entry.compress_type == zipfile.ZIP_STORED:
        body = bytes(raw)
    elif entry.compress_type == zipfile.ZIP_DEFLATED:
        inflater = isal_zlib.decompressobj(-isal_zlib.MAX_WBITS)
        body = inflater.decompress(raw, entry.file_size + 1)
    else:
        raise zipfile.BadZipFile(f"entry {entry.filename!r} is neither stored nor deflated")
    if len(body) != entry.file_size or isal_zlib.crc32(body) != entry.CRC:
        raise zipfile.BadZipFile(f"bad entry {entry.filename!r}")
    return body


def _cut_workbook(data: bytes, count: int, limit: int) -> _Cut | None:
    """The workbook's first sheet cut into `count` parts along its rows, or None."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = _first_sheet(archive)
        entries = archive.infolist()
        if name is None or archive.getinfo(name).file_size < SPLIT_FROM:
            return None
        if sum(entry.file_size for entry in entries) > limit:
            return None  # read no further than the check would
        pieces = _cut(_read_entry(data, archive.getinfo(name)), _shares(count))
        if pieces is None:
            return None
        others = [
            (entry.filename, archive.read(entry)) for entry in entries if entry.filename != name
        ]
    return _Cut(name, others, pieces)


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The path of the workbook's first sheet, through `xl/workbook.xml` and its
    relationships (as calamine finds it), or None when either cannot be read plainly."""
    names = set(archive.namelist())
    book, relations = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    if relations not in names or any(
        archive.getinfo(n).file_size > _SMALL_PART for n in (book, relations)
    ):
        return None
    book_xml, relations_xml = archive.read(book), archive.read(relations)
    if _declarations(book_xml) or _declarations(relations_xml):
        return None
    # without a DOCTYPE there is no entity to expand or fetch: small, plain XML
    try:
        sheets = ElementTree.fromstring(book_xml).find(f"{_MAIN}sheets")  # noqa: S314
        first = sheets.find(f"{_MAIN}sheet") if sheets is not None else None
        wanted = first.get(_RELATION) if first is not None else None
        links = ElementTree.fromstring(relations_xml)  # noqa: S314
    except ElementTree.ParseError:
        return None
    for link in links.iter(f"{_PACKAGE}Relationship"):
        if link.get("Id") == wanted and link.get("Type", "").endswith("/worksheet"):
            target = link.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            path = posixpath.normpath(path)
            return path if path in names else None
    return None


def _declarations(xml: bytes) -> bool:
    """Whether `xml` holds a `<!` (a DOCTYPE, CDATA or a comment). Found through its `!`, a
    character rare in a sheet, where `<` starts every element."""
    at = xml.find(b"!")
    while at >= 0:
        if at and xml[at - 1] == 0x3C:  # "<"
            return True
        at = xml.find(b"!", at + 1)
    return False


def _shares(count: int) -> list[float]:
    """Where the cuts fall, as shares of the sheet's rows: the first part FIRST_SHARE of
    them, the others the rest in equal parts."""
    rest = (1 - FIRST_SHARE) / (count - 1)
    return [FIRST_SHARE + rest * k for k in range(count - 1)]


def _cut(xml: bytes, shares: list[float]) -> list[tuple[bytes, memoryview, bytes]] | None:
    """The sheet's XML as (head, rows, tail) triples, one a part, cut before the first
    `<row ` element after each share of its rows; None when a cut could change the reading
    (or none is found)."""
    if _declarations(xml):
        return None
    start, end = xml.find(b"<sheetData>"), xml.rfind(b"</sheetData>")
    if start < 0 or end < start:
        return None
    start += len(b"<sheetData>")
    head, tail, rows = xml[:start], xml[end:], memoryview(xml)[start:end]
    cuts = [0]
    for share in shares:
        at = xml.find(b"<row ", start + int((end - start) * share), end)
        if at < 0:
            break
        closing = xml.find(b">", at, end)
        if closing < 0 or b' r="' not in xml[at:closing]:
            return None  # rows counted from here would not keep their numbers
        if at - start > cuts[-1]:
            cuts.append(at - start)
    if len(cuts) < 2:
        return None
    cuts.append(end - start)
    return [(head, rows[a:b], tail) for a, b in zip(cuts, cuts[1:], strict=False)]
