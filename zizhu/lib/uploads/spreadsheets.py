"""Checks on spreadsheet uploads (CSV, XLSX) made on the bytes, before any parser sees them.

CSV: UTF-8 (with or without BOM) or GB18030. UTF-16/UTF-32, files with NUL bytes and files that
are recognisably something else (XLSX, XLS, PDF, images, executables) are refused.

XLSX is a zip of XML parts that calamine parses in Rust. Before calamine is given the file:

- zip structure: local-file magic, at most `zip_entries` entries, no encryption, only stored or
  deflated entries, no duplicate names, `xl/workbook.xml` present, no DTDs in any part;
- sizes: every entry is inflated here (zlib's format by ISA-L, streamed, never more than 4 MB
  at a time) instead of trusting the sizes the zip declares. The total must stay within
  `zip_bytes`, an entry larger than 1 MB may not inflate more than `zip_ratio` times its
  compressed size, and the inflated size must equal the declared one;
- the sheet area: calamine builds a dense grid from the first to the last cell reference, so a
  tiny file with cells at A1 and XFD1048576 would ask for 17 billion cells. A cell or row
  reference below row `rows` + 1 or right of column `columns` is refused (even an empty
  formatted cell), which bounds the grid at (`rows` + 1) × `columns` cells, about 640 MB in
  calamine at the defaults;
- shared strings: calamine copies a shared string into every cell that uses it, so the number of
  shared-string cells × the longest shared string must stay within `string_bytes`.

Formulas are never evaluated. calamine returns the value Excel cached when the file was saved
(a formula written by a program that cached nothing reads as 0 or empty), and a text cell whose
value starts with "=" is read as that text. Exports neutralise such text again
(`zizhu.lib.exports.neutralise`).
"""

import codecs
import io
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

from django.utils.translation import gettext as _
from isal import isal_zlib

from zizhu.lib.uploads.errors import MB, UploadRejected, rejected

try:  # the two searches of a part's window in one pass in C (setup.py)
    from zizhu.lib.uploads import _scan
except ImportError:  # not built: the regular expressions below, the same answers
    _scan = None

ZIP_MAGIC = b"PK\x03\x04"
UTF8_BOM = b"\xef\xbb\xbf"

_CHUNK = 4 * MB  # inflated bytes looked at in one go
_FEED = 256 * 1024  # compressed bytes given to zlib in one go
_OVERLAP = 64  # bytes of the previous chunk kept so a pattern cut in two is still seen
_RATIO_FLOOR = MB  # small entries (printer settings, mostly zeros) may compress very well
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_SHARED_STRINGS = "xl/sharedStrings.xml"  # calamine reads shared strings from this path only


@dataclass(frozen=True)
class SpreadsheetLimits:
    csv_bytes: int = 50 * MB
    xlsx_bytes: int = 20 * MB
    rows: int = 200_000  # data rows; the header row is not counted
    columns: int = 100  # XLSX only
    zip_entries: int = 1_000
    zip_bytes: int = 500 * MB  # all XLSX entries, inflated
    zip_ratio: int = 200  # inflated : compressed, per entry larger than 1 MB
    string_bytes: int = 512 * MB  # shared-string cells × longest shared string


SPREADSHEET_LIMITS = SpreadsheetLimits()

# Leading bytes of files people upload by mistake (or on purpose) instead of a CSV.
_NOT_TEXT = (
    (ZIP_MAGIC, "XLSX/ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "XLS/Office 97-2003"),
    (b"%PDF-", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "GZIP"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7Z"),
    (b"\x7fELF", "ELF"),
    (b"MZ", "EXE"),
)


def decode_csv_bytes(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (a BOM is dropped) or else GB18030; anything else refused."""
    return data.decode(csv_encoding(data))


def csv_encoding(data: bytes | BinaryIO) -> str:
    """The codec that decodes the whole CSV file, checked here without holding its text (a
    4 MB piece at a time): "utf-8-sig" (a BOM), "utf-8" or else "gb18030"; anything else
    refused. A reader can then decode the file as it parses it (`io.TextIOWrapper`).

    `data`: the file's bytes, or the file open for reading in binary (read from where it is,
    a piece at a time, and left there: a big file need not be held whole)."""
    start = 0 if isinstance(data, bytes) else data.tell()

    def pieces() -> Iterator[bytes | memoryview]:
        if isinstance(data, bytes):
            view = memoryview(data)
            yield from (view[at : at + _CHUNK] for at in range(0, len(data), _CHUNK))
            return
        data.seek(start)
        while piece := data.read(_CHUNK):
            yield piece
        data.seek(start)

    head = data[:8] if isinstance(data, bytes) else next(pieces(), b"")[:8]
    if head.startswith(UTF8_BOM):
        if not _decodes(pieces(), "utf-8-sig"):
            raise rejected(
                _("The file has a UTF-8 mark, but its content is not valid UTF-8"),
                "invalid UTF-8 after the BOM",
            )
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        raise rejected(
            _("UTF-16 and UTF-32 are not supported; save the file as a CSV in UTF-8 or GB18030"),
            "UTF-16 and UTF-32 are not supported",
        )
    for magic, kind in _NOT_TEXT:
        if head.startswith(magic):
            raise rejected(
                _("This is a %(kind)s file, not a CSV text file") % {"kind": kind},
                f"a {kind} file, not CSV",
            )
    if any(b"\x00" in piece for piece in pieces()):
        raise rejected(
            _("The file contains NUL bytes: it may be UTF-16 or binary; save it as a CSV in UTF-8"),
            "NUL bytes: UTF-16 or binary",
        )
    for codec in ("utf-8", "gb18030"):
        if _decodes(pieces(), codec):
            return codec
    raise rejected(
        _("The file's encoding is not recognised; use UTF-8 or GB18030"), "unknown encoding"
    )


def _decodes(pieces: Iterator[bytes | memoryview], codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for piece in pieces:
            decoder.decode(piece)
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


def check_xlsx(data: bytes, limits: SpreadsheetLimits = SPREADSHEET_LIMITS) -> None:
    """Refuse an XLSX that is not a plain workbook or would cost calamine too much memory."""
    if len(data) > limits.xlsx_bytes:
        raise too_large(limits.xlsx_bytes)
    if not data.startswith(ZIP_MAGIC):
        raise rejected(_("Not a valid XLSX file"), "not a zip archive")
    declared = _declared_entry_count(data)
    if declared is not None and declared > limits.zip_entries:
        raise _too_many_entries(limits.zip_entries)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _corrupt() from None
    if len(entries) > limits.zip_entries:
        raise _too_many_entries(limits.zip_entries)
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        raise rejected(_("The XLSX file has parts with the same name"), "duplicate zip entries")
    if "xl/workbook.xml" not in names:
        raise rejected(_("Not an Excel workbook: xl/workbook.xml is missing"), "no workbook part")
    if sum(entry.file_size for entry in entries) > limits.zip_bytes:
        raise _zip_bomb()

    scanner = _PartScanner(limits, shared_strings=_SHARED_STRINGS in names)
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise rejected(
                _("The XLSX file is encrypted; remove the password and upload it again"),
                "encrypted",
            )
        if entry.compress_type not in _ZIP_METHODS:
            raise rejected(
                _("The XLSX file uses an unsupported compression method"), "unsupported compression"
            )
        size = 0
        scanner.start(entry.filename)
        for chunk in _inflate(data, entry):
            size += len(chunk)
            total += len(chunk)
            if size > entry.file_size:
                raise _size_mismatch()
            if total > limits.zip_bytes:
                raise _zip_bomb()
            if size > _RATIO_FLOOR and size > limits.zip_ratio * max(entry.compress_size, 1):
                raise _zip_bomb()
            scanner.feed(chunk)
        if size != entry.file_size:
            raise _size_mismatch()
    scanner.finish()


def _size_mismatch() -> UploadRejected:
    return rejected(
        _("The XLSX file's structure is wrong: a part's size differs from the declared one"),
        "entry size mismatch",
    )


def too_large(limit: int) -> UploadRejected:
    return rejected(
        _("The file exceeds the limit of %(size)s MB") % {"size": f"{limit / MB:g}"},
        f"larger than {limit / MB:g} MB",
    )


def too_many_rows(limit: int) -> UploadRejected:
    return rejected(
        _("The data exceed the limit of %(limit)s rows; split the file") % {"limit": limit},
        f"more than {limit} data rows",
    )


def _too_many_entries(limit: int) -> UploadRejected:
    return rejected(
        _("The XLSX file has more than %(limit)s parts") % {"limit": limit},
        f"more than {limit} zip entries",
    )


def _zip_bomb() -> UploadRejected:
    return rejected(
        _("The XLSX file inflates too much or compresses oddly, like a zip bomb; refused"),
        "zip bomb: inflates too much",
    )


def _corrupt() -> UploadRejected:
    return rejected(_("The XLSX file is damaged; save it again with Excel"), "corrupt zip")


def _declared_entry_count(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, read before zipfile lists them."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    count = struct.unpack_from("<H", data, at + 10)[0]
    return None if count == 0xFFFF else count  # 0xFFFF: the real count is in the zip64 record


def stored_bytes(data: bytes, entry: zipfile.ZipInfo) -> memoryview:
    """`entry`'s bytes as the zip `data` stores them (deflated, or not), found through its
    local header; UploadRejected where that header or the bytes' length is wrong."""
    offset = entry.header_offset
    if data[offset : offset + 4] != ZIP_MAGIC or offset + 30 > len(data):
        raise _corrupt()
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + entry.compress_size]
    if len(raw) != entry.compress_size:
        raise _corrupt()
    return raw


def _inflate(data: bytes, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's bytes as the deflate stream really produces them, in chunks of ≤ 4 MB."""
    raw = stored_bytes(data, entry)
    if entry.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(raw), _CHUNK):
            yield bytes(raw[at : at + _CHUNK])
        return
    inflater = isal_zlib.decompressobj(-isal_zlib.MAX_WBITS)  # zlib's stream, twice as fast
    try:
        for at in range(0, len(raw), _FEED):
            pending: bytes | memoryview = raw[at : at + _FEED]
            while pending and not inflater.eof:
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                if chunk:
                    yield chunk
            if inflater.eof:
                break
        rest = inflater.flush()  # at most a few hundred bytes once all input is consumed
    except isal_zlib.error:
        raise _corrupt() from None
    if rest:
        yield rest
    if not inflater.eof:
        raise _corrupt()


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _digits_above(limit: int) -> bytes:
    """A pattern for the decimal numbers (leading zeros allowed) greater than `limit`."""
    text = str(limit)
    options = [rb"[1-9][0-9]{%d,}" % len(text)]
    for at, digit in enumerate(text):
        if digit != "9":
            rest = len(text) - at - 1
            options.append(
                text[:at].encode() + b"[%s-9][0-9]{%d}" % (str(int(digit) + 1).encode(), rest)
            )
    return b"0*(?:" + b"|".join(options) + b")"


def _letters_above(limit: int) -> bytes:
    """A pattern for the column letters (either case) of columns after column `limit`."""
    text = _column_letters(limit)
    options = [rb"[A-Za-z]{%d,}" % (len(text) + 1)]
    for at, letter in enumerate(text):
        if letter != "Z":
            following = chr(ord(letter) + 1)
            prefix = b"".join(b"[%s%s]" % (c.encode(), c.lower().encode()) for c in text[:at])
            above = b"[%s-Z%s-z]" % (following.encode(), following.lower().encode())
            options.append(prefix + above + rb"[A-Za-z]{%d}" % (len(text) - at - 1))
    return b"(?:" + b"|".join(options) + b")"


# Cell and row references (`r` attributes) beyond the limits, or too long to be sure of when cut
# by a chunk boundary. Excel and every writer seen so far write r="…"; the pattern starting with
# that literal is fast. quick-xml, calamine's parser, also accepts r='…', spaces around "=" and
# no space before the attribute: a chunk containing such forms is searched with the slower
# generic prefix.
_FAST_PREFIX = rb'(?P<at>r)="'
_GENERIC_PREFIX = rb"""[\s"'](?P<at>r)\s*=\s*["']\s*"""
# An "=" with whitespace before or after it, or a single quote after it (a literal "=" first
# keeps the search fast).
_ODD_FORM = re.compile(rb"""=(?:(?<=\s=)|[\s'])""")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SPACED_STRING_TYPE = re.compile(rb"""t\s*=\s*["']s["']""")
_ATTRIBUTE_START = frozenset(b" \t\r\n\"'")
# DrawingML rectangles (themes, drawings) have l, t, r, b attributes that are not references.
# Only a start tag that parses cleanly up to the attribute counts: quick-xml accepts "<" and
# ">" inside attribute values, so a rectangle written inside another tag's value does not parse.
_RECTANGLE_TAG = re.compile(
    rb"<(?:[\w.-]+:)?(?:fillToRect|fillRect|srcRect|tileRect|rect)"
    rb"""(?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*"""
)
_LONGEST_TAIL = MB  # whitespace runs are kept whole across chunks, up to this


@lru_cache(maxsize=8)
def _reference_patterns(rows: int, columns: int) -> tuple[re.Pattern, re.Pattern]:
    body = rb"(?:(?P<row>[A-Za-z]*%s)[\"']|(?P<column>%s)[0-9\"']|(?P<long>[A-Za-z0-9]{16}))" % (
        _digits_above(rows),
        _letters_above(columns),
    )
    return re.compile(_FAST_PREFIX + body), re.compile(_GENERIC_PREFIX + body)


def _short_limits(rows: int, columns: int) -> tuple[int, int]:
    """The last capital letter of `_short_references` (its code; 0: none) and the most
    digits of its row number (0: none)."""
    letter = 64 + min(columns, 26) if columns >= 1 else 0
    return letter, max(min(len(str(rows)) - 1, 14), 0)  # the "long" form is 16 characters


@lru_cache(maxsize=8)
def _short_references(rows: int, columns: int) -> re.Pattern:
    """A `r="` not followed by a reference that is certainly within the limits: one capital
    letter of the first `columns` (or none: a row) and a row number with fewer digits than
    `rows`, then the quote or the end of the window. Where this finds nothing, the fast
    pattern cannot match either (it needs more letters, a longer row number or 16
    characters), so a window of ordinary cells is passed with one quick search instead of the
    whole pattern at every reference (the 100,000-row list's check: 278 -> 156 ms)."""
    letter, width = _short_limits(rows, columns)
    letters = b"[A-%s]" % chr(letter).encode() if letter else b"(?!)"
    digits = b"[1-9][0-9]{0,%d}" % (width - 1) if width >= 1 else b"(?!)"
    # a window may end inside a reference: the next window starts with it again (the tail)
    return re.compile(rb'r="(?!(?:%s)?(?:%s"|(?:%s)?\Z))' % (letters, digits, digits))


def _in_rectangle(window: bytes, at: int) -> bool:
    start = window.rfind(b"<", max(0, at - 512), at)
    return start >= 0 and _RECTANGLE_TAG.fullmatch(window, start, at) is not None


class _PartScanner:
    """Looks at every inflated part for far references, shared-string cells and DTDs."""

    def __init__(self, limits: SpreadsheetLimits, *, shared_strings: bool = True):
        """`shared_strings`: whether the workbook has calamine's shared-string part. Without
        it no cell can copy a shared string (the longest stays 0), so the cells are not
        counted (a workbook written with inline strings: ~30 ms of a 37 MB sheet)."""
        self.limits = limits
        self.count_strings = shared_strings
        self.fast, self.generic = _reference_patterns(limits.rows + 1, limits.columns)
        self.short = _short_references(limits.rows + 1, limits.columns)
        self.short_limits = _short_limits(limits.rows + 1, limits.columns)
        self.string_cells = 0
        self.longest_string = 0

    def start(self, name: str) -> None:
        self.tail = b""
        self.in_shared_strings = name == _SHARED_STRINGS
        self.open_string = 0

    def feed(self, chunk: bytes) -> None:
        window = self.tail + chunk
        # "!" alone is rare in a part (formulas across sheets, comments): found with memchr,
        # where looking for "<!" stops at every "<"
        if b"!" in window and b"<!" in window and _DTD.search(window):
            raise rejected(_("The XLSX file contains a DTD declaration; refused"), "DTD in a part")
        odd, unsure = self._search(window)
        if odd:
            self._check_references(self.generic, window)
            if self.count_strings:
                count = len(_SPACED_STRING_TYPE.findall(window))
                self.string_cells += count - len(_SPACED_STRING_TYPE.findall(self.tail))
        else:
            if unsure:
                self._check_references(self.fast, window)
            if self.count_strings:
                self.string_cells += window.count(b't="s"') - self.tail.count(b't="s"')
        if self.in_shared_strings:
            self._measure_strings(chunk)
        # Keep a trailing run of whitespace whole, so r, "=" and the value are seen together
        # even when the run is longer than the overlap.
        trailing = len(window) - len(window.rstrip())
        if trailing > _LONGEST_TAIL:
            raise _malformed_reference()
        self.tail = window[-(_OVERLAP + trailing) :]

    def _search(self, window: bytes) -> tuple[bool, bool]:
        """Whether `_ODD_FORM` finds something in `window`, and if not, whether `self.short`
        does (the second answer is not used after a first yes)."""
        if _scan is not None:  # both in one pass over the window's "="
            odd, unsure = _scan.scan(window, *self.short_limits)
            return odd, unsure
        if _ODD_FORM.search(window):
            return True, True
        return False, self.short.search(window) is not None

    def _check_references(self, pattern: re.Pattern, window: bytes) -> None:
        for match in pattern.finditer(window):
            at = match.start("at")
            if at and window[at - 1] not in _ATTRIBUTE_START:
                continue  # an attribute whose name ends in r, such as firstPageNumber
            if _in_rectangle(window, at):
                continue
            if match.group("row"):
                raise too_many_rows(self.limits.rows)
            if match.group("column"):
                raise rejected(
                    _("The sheet exceeds the limit of %(limit)s columns")
                    % {"limit": self.limits.columns},
                    f"more than {self.limits.columns} columns",
                )
            raise _malformed_reference()

    def _measure_strings(self, chunk: bytes) -> None:
        # Splitting at "si>" cuts at <si>, </si> and prefixed forms; a piece holds at most one
        # string item with its markup, so the longest piece bounds the longest string.
        pieces = chunk.split(b"si>")
        if len(pieces) == 1:
            self.open_string += len(chunk)
        else:
            self.longest_string = max(
                self.longest_string,
                self.open_string + len(pieces[0]),
                max(len(piece) for piece in pieces[1:-1]) if len(pieces) > 2 else 0,
            )
            self.open_string = len(pieces[-1])
        self.longest_string = max(self.longest_string, self.open_string)

    def finish(self) -> None:
        if self.string_cells * self.longest_string > self.limits.string_bytes:
            raise rejected(
                _("The XLSX file's shared text expands too much; refused"),
                "shared strings expand too much",
            )


def _malformed_reference() -> UploadRejected:
    return rejected(_("The XLSX file has a malformed cell reference"), "malformed cell reference")
