"""PDF attachments: refused when they could run, open, send or carry something.

Three looks, in this order:

1. The bytes, before any parser: a %%EOF near the end; object and cross-reference streams
   compressed only with FlateDecode and inflating to at most 50 MB together (so the parser
   below is never made to inflate a bomb); no encryption together with object streams.
2. The document as qpdf reads it (pikepdf), every object, those in compressed object streams
   included. Automatic actions — the catalogue's /OpenAction and every /AA (document, page,
   annotation, form field), with their /Next chains — may only be a plain /GoTo inside the file.
   Any action anywhere (links, outline items, form fields) that opens a link or another file,
   starts a program, runs a script, submits a form or imports data is refused, as are document
   scripts (the names tree's /JavaScript), embedded files (/EmbeddedFiles, /EmbeddedFile
   streams, file specifications with /EF, file attachment annotations), RichMedia and XFA.
3. The bytes again, as a backstop for what a viewer might read differently from qpdf: the
   names /JavaScript, /JS, /AA, /Launch, /EmbeddedFile(s), /RichMedia, /XFA, /ImportData,
   /SubmitForm, /GoToE, #-escaped or not, outside streams and inside object streams.
"""

import io
import re
import zlib
from collections.abc import Iterator

import pikepdf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pikepdf import Array, Dictionary, Name, Stream

from zizhu.lib.uploads.errors import MB, UploadRejected, rejected

_MAX_OBJECTS = 100_000
_INFLATE_LIMIT = 50 * MB  # object and cross-reference streams, inflated; small in real files

# Action types that reach outside the file or run something: (for the user, English).
_OUTWARD = {
    "/URI": (gettext_lazy("open a link"), "URI"),
    "/Launch": (gettext_lazy("start a program"), "Launch"),
    "/GoToR": (gettext_lazy("open another file"), "GoToR"),
    "/GoToE": (gettext_lazy("open an embedded file"), "GoToE"),
    "/JavaScript": (gettext_lazy("run a script"), "JavaScript"),
    "/SubmitForm": (gettext_lazy("submit a form"), "SubmitForm"),
    "/ImportData": (gettext_lazy("import data"), "ImportData"),
    "/RichMediaExecute": (gettext_lazy("play multimedia"), "RichMediaExecute"),
}
_SCRIPT = (gettext_lazy("run a script"), "JavaScript")


def check_pdf(content: bytes) -> None:
    """Nothing, or UploadRejected saying why the PDF is refused."""
    if b"%%EOF" not in content[-1024:]:
        raise rejected(_("The PDF file is incomplete"), "no %%EOF at the end")
    names = _names_in_bytes(content)
    _check_document(content)
    if names & _NAMES or _LONG.search(content) or _escaped_active_name(content):
        raise rejected(
            _(
                "The PDF contains scripts, automatic actions or embedded files; print it to a "
                "plain PDF or scan it, then upload that"
            ),
            "PDF with JavaScript, actions or embedded files",
        )


def _automatic(action: tuple[str, str]) -> UploadRejected:
    return rejected(
        _("The file contains an automatic action (%(action)s); refused") % {"action": action[0]},
        f"PDF automatic action: {action[1]}",
    )


def _outward(action: tuple[str, str]) -> UploadRejected:
    return rejected(
        _("The file contains an action (%(action)s); refused") % {"action": action[0]},
        f"PDF action: {action[1]}",
    )


def _embedded() -> UploadRejected:
    return rejected(_("The file contains an embedded file; refused"), "PDF embedded file")


# 2. The document as qpdf reads it


def _check_document(content: bytes) -> None:
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            objects = pdf.objects
            if len(objects) > _MAX_OBJECTS:
                raise rejected(
                    _("The PDF has more than %(limit)s objects") % {"limit": _MAX_OBJECTS},
                    "too many objects",
                )
            _check_catalogue(pdf.Root)
            dictionaries = list(_dictionaries(objects))
            for dictionary in dictionaries:
                for action in _automatic_actions(dictionary):
                    kind = "/JavaScript" if "/JS" in action else _kind(action)
                    if kind != "/GoTo":
                        other = kind[1:] or "?"
                        raise _automatic(_OUTWARD.get(kind, (other, other)))
            for dictionary in dictionaries:
                _check_object(dictionary)
    except UploadRejected:
        raise
    except pikepdf.PasswordError:
        raise rejected(
            _("The PDF is encrypted and cannot be checked; save it as an unencrypted PDF"),
            "encrypted PDF",
        ) from None
    except (pikepdf.PdfError, RuntimeError, ValueError, RecursionError):
        # whatever qpdf cannot read, or reads into something unexpected, is not checked: refused
        raise rejected(
            _("The PDF file is damaged and cannot be checked"), "qpdf cannot read it"
        ) from None


def _kind(dictionary: Dictionary) -> str:
    """The action type, "/URI" say; "" when /S is missing or not a name."""
    kind = dictionary.get("/S")
    return kind.unparse().decode("latin-1") if isinstance(kind, Name) else ""


def _check_catalogue(root: Dictionary) -> None:
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        if "/JavaScript" in names:
            raise _automatic(_SCRIPT)
        if "/EmbeddedFiles" in names:
            raise _embedded()
    form = root.get("/AcroForm")
    if isinstance(form, Dictionary) and "/XFA" in form:
        raise rejected(_("The file contains an XFA form; refused"), "PDF XFA form")


def _dictionaries(objects) -> Iterator[Dictionary]:
    """Every dictionary of the file: each object's and the direct ones nested in it."""
    for top in objects:
        pending = [top]
        while pending:
            item = pending.pop()
            if isinstance(item, Stream):
                item = item.stream_dict
            if isinstance(item, Dictionary):
                yield item
                children = list(item.values())
            elif isinstance(item, Array):
                children = list(item)
            else:
                continue
            pending.extend(
                child
                for child in children
                if isinstance(child, Dictionary | Array | Stream) and not child.is_indirect
            )


def _chain(action) -> Iterator[Dictionary]:
    """An action and those its /Next runs after it (a dictionary or an array of them)."""
    pending = [action] if isinstance(action, Dictionary) else []
    seen = 0
    while pending and seen < 1_000:
        item = pending.pop()
        seen += 1
        yield item
        following = item.get("/Next")
        if isinstance(following, Dictionary):
            pending.append(following)
        elif isinstance(following, Array):
            pending.extend(a for a in following if isinstance(a, Dictionary))


def _automatic_actions(dictionary: Dictionary) -> Iterator[Dictionary]:
    if dictionary.get("/Type") == Name.Catalog:
        yield from _chain(dictionary.get("/OpenAction"))  # an array is a plain destination
    triggers = dictionary.get("/AA")
    if isinstance(triggers, Dictionary):
        for action in triggers.values():
            yield from _chain(action)


def _check_object(dictionary: Dictionary) -> None:
    kind = _kind(dictionary)
    if kind in _OUTWARD and dictionary.get("/Type") != Name.StructElem:
        raise _outward(_OUTWARD[kind])
    if "/JS" in dictionary:
        raise _outward(_SCRIPT)
    if "/EF" in dictionary or dictionary.get("/Type") == Name.EmbeddedFile:
        raise _embedded()
    subtype = dictionary.get("/Subtype")
    if subtype == Name.FileAttachment:
        raise _embedded()
    if subtype == Name.RichMedia:
        raise rejected(_("The file contains multimedia; refused"), "PDF RichMedia")


# 1. and 3. The bytes

# The long names are searched in the whole file, streams included (too long to occur by chance
# in compressed data); /JS and /AA only outside streams and inside object streams.
_LONG_NAMES = frozenset(
    {
        b"JavaScript",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
        b"ImportData",
        b"SubmitForm",
        b"GoToE",
    }
)
_NAMES = _LONG_NAMES | {b"JS", b"AA"}
_LONG = re.compile(rb"/(?:%s)" % b"|".join(sorted(_LONG_NAMES)))
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPED_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*#[0-9A-Fa-f]{2}")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_OTHER_FILTERS = frozenset(
    {
        b"ASCIIHexDecode",
        b"ASCII85Decode",
        b"LZWDecode",
        b"RunLengthDecode",
        b"CCITTFaxDecode",
        b"JBIG2Decode",
        b"DCTDecode",
        b"JPXDecode",
        b"Crypt",
    }
)


def _names(data: bytes) -> set[bytes]:
    return {_HEX.sub(lambda m: bytes.fromhex(m[1].decode()), n) for n in _NAME.findall(data)}


def _escaped_active_name(content: bytes) -> bool:
    return any(_names(escaped) & _NAMES for escaped in _ESCAPED_NAME.findall(content))


def _names_in_bytes(content: bytes) -> set[bytes]:
    """The names outside streams and inside object streams; refuses what cannot be read."""
    names: set[bytes] = set()
    inflated: list[tuple[set[bytes], bytes, bool]] = []  # dictionary, body, object stream?
    position = search_from = 0
    while match := _STREAM.search(content, search_from):
        if content[match.start() - 3 : match.start()] == b"end":
            search_from = match.end()  # a stray "endstream"
            continue
        head = content[position : match.start()]
        names |= _names(head)
        end = content.find(b"endstream", match.end())
        if end < 0:
            raise rejected(_("The PDF file's structure is wrong"), "stream without endstream")
        dictionary = _names(head[max(head.rfind(b"obj"), 0) :])
        object_stream = b"ObjStm" in dictionary or {b"N", b"First"} <= dictionary
        if object_stream or b"XRef" in dictionary:
            inflated.append((dictionary, content[match.end() : end], object_stream))
        position = search_from = end + len(b"endstream")
    names |= _names(content[position:])

    if b"Encrypt" in names and any(object_stream for *_, object_stream in inflated):
        raise rejected(
            _("The PDF is encrypted and cannot be checked; save it as an unencrypted PDF"),
            "encrypted PDF",
        )
    budget = _INFLATE_LIMIT
    for dictionary, body, object_stream in inflated:
        # A predictor would scramble the names of an object stream (cross-reference streams,
        # whose names are not read, often have one).
        if dictionary & _OTHER_FILTERS or (object_stream and b"Predictor" in dictionary):
            raise rejected(
                _("The PDF uses a compression that cannot be checked"), "object stream filter"
            )
        if b"FlateDecode" in dictionary:
            body = _inflate(body, budget)
            budget -= len(body)
        if object_stream:
            names |= _names(body)
    return names


def _inflate(body: bytes, budget: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, budget + 1)
    except zlib.error:
        raise rejected(_("The PDF file is damaged"), "corrupt object stream") from None
    if len(data) > budget:
        raise rejected(
            _("The PDF's object streams inflate too much"), "object streams inflate too much"
        )
    return data
