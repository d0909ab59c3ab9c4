"""Checks on voucher and explanation attachments: PDF, JPEG or PNG, judged by content.

The content decides what a file is. The name's extension must be one of .pdf, .jpg, .jpeg,
.png, but it need not agree with the content: a photo saved as "x.jpg" that is really a PNG is
accepted as a PNG, stored under a random name with the extension of its content and served with
the content type of its content. A file is refused when it is:

- empty or larger than `max_bytes` (10 MB);
- an executable (ELF, PE, Mach-O, a script with #!), markup (SVG, HTML, XML), or any other
  format, whatever its name;
- a PNG whose chunk structure is broken: IHDR first, every CRC right, an IDAT, IEND last and
  nothing after it (so a PNG header followed by HTML is refused);
- a JPEG whose segments do not parse from SOI through a frame header (SOF) and its scans to EOI,
  or with markup, an executable, a PDF or a zip after EOI (other data after EOI is allowed:
  phones append gain maps and motion-photo video there);
- an image of more than `max_pixels` pixels;
- a PDF that is truncated (no %%EOF near the end), that can run or carry something (the names
  /JavaScript, /JS, /AA, /Launch, /EmbeddedFile(s), /RichMedia, /XFA, /ImportData, /SubmitForm,
  /GoToE, #-escaped or not, outside streams and inside object streams), whose object streams
  use a filter other than FlateDecode, or that is encrypted and has object streams (its
  dictionaries cannot be read).
"""

import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from zizhu.lib.uploads.errors import MB, UploadRejected

ATTACHMENT_MAX_BYTES = 10 * MB
ATTACHMENT_MAX_PIXELS = 100_000_000
ALLOWED_EXTENSIONS = frozenset({".pdf", ".jpg", ".jpeg", ".png"})


@dataclass(frozen=True)
class AttachmentInfo:
    kind: str  # "pdf", "jpeg" or "png"
    content_type: str
    extension: str  # of the content, without the dot: "pdf", "jpg" or "png"
    size: int


_KINDS = {  # kind: (content type, extension)
    "pdf": ("application/pdf", "pdf"),
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EXECUTABLES = (
    b"\x7fELF",
    b"MZ",
    b"#!",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
_MARKUP = re.compile(rb"\s*<", re.ASCII)


def _rejected(chinese: str, english: str) -> UploadRejected:
    return UploadRejected(f"{chinese} ({english})")


def check_attachment(
    name: str,
    data: bytes | BinaryIO,
    *,
    max_bytes: int = ATTACHMENT_MAX_BYTES,
    max_pixels: int = ATTACHMENT_MAX_PIXELS,
) -> AttachmentInfo:
    """What the uploaded file is, or UploadRejected saying why it is refused.

    `data` is the content or a binary file, which is read from the start and rewound.
    """
    content = _read(data, max_bytes)
    if not content:
        raise _rejected("文件为空", "empty file")
    if len(content) > max_bytes:
        raise _rejected(
            f"文件超过 {max_bytes / MB:g} MB 的上限", f"larger than {max_bytes / MB:g} MB"
        )
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    if suffix not in ALLOWED_EXTENSIONS:
        raise _rejected("只能上传 PDF、JPG、JPEG、PNG 文件", "only PDF, JPG, JPEG, PNG")
    kind = _sniff(content)
    if kind == "pdf":
        _check_pdf(content)
    elif kind == "png":
        _check_png(content, max_pixels)
    else:
        _check_jpeg(content, max_pixels)
    content_type, extension = _KINDS[kind]
    return AttachmentInfo(kind, content_type, extension, len(content))


def _read(data: bytes | BinaryIO, max_bytes: int) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    seekable = getattr(data, "seekable", lambda: False)()
    if seekable:
        data.seek(0)
    content = data.read(max_bytes + 1)
    if seekable:
        data.seek(0)
    return content


def _sniff(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(_PNG_SIGNATURE):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(_EXECUTABLES):
        raise _rejected("不能上传可执行文件或脚本", "executable")
    if _MARKUP.match(content.removeprefix(b"\xef\xbb\xbf")):
        raise _rejected("不能上传 SVG、HTML 或 XML 文件", "markup, not an image")
    if content[4:12] in {b"ftypheic", b"ftypheix", b"ftypmif1"}:
        raise _rejected("不支持 HEIC 照片，请转换为 JPG 后上传", "HEIC")
    raise _rejected("文件内容不是 PDF、JPG 或 PNG", "not a PDF, JPEG or PNG")


def _check_size(width: int, height: int, max_pixels: int) -> None:
    if not width or not height:
        raise _rejected("图片尺寸无效", "zero width or height")
    if width * height > max_pixels:
        raise _rejected(f"图片超过 {max_pixels} 像素的上限", f"more than {max_pixels} pixels")


def _check_png(content: bytes, max_pixels: int) -> None:
    view = memoryview(content)
    position = len(_PNG_SIGNATURE)
    seen_data = False
    while True:
        if position + 12 > len(content):
            raise _rejected("PNG 文件不完整", "truncated PNG")
        length, kind = struct.unpack_from(">I4s", content, position)
        end = position + 8 + length
        if length > 0x7FFFFFFF or not kind.isalpha() or end + 4 > len(content):
            raise _rejected("PNG 文件结构错误", "bad PNG chunk")
        (crc,) = struct.unpack_from(">I", content, end)
        if zlib.crc32(view[position + 4 : end]) != crc:
            raise _rejected("PNG 文件校验错误", "bad PNG chunk CRC")
        if position == len(_PNG_SIGNATURE):
            if kind != b"IHDR" or length != 13:
                raise _rejected("PNG 文件结构错误", "IHDR is not the first chunk")
            width, height = struct.unpack_from(">II", content, position + 8)
            _check_size(width, height, max_pixels)
        seen_data = seen_data or kind == b"IDAT"
        position = end + 4
        if kind == b"IEND":
            break
    if not seen_data:
        raise _rejected("PNG 文件没有图像数据", "no IDAT")
    if position != len(content):
        raise _rejected("PNG 文件结束标记后还有其他数据", "data after IEND")


_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9
# What may not follow EOI: markup a browser could render, executables, PDFs and zips.
_HOSTILE_TRAILER = re.compile(
    rb"<(?:!doctype|html|head|body|script|svg|iframe|object|embed)|javascript:|"
    rb"\x7fELF|This program cannot be run|%PDF-|PK\x03\x04",
    re.IGNORECASE,
)


def _check_jpeg(content: bytes, max_pixels: int) -> None:
    position = 2  # after SOI
    framed = False
    while True:
        if position >= len(content) or content[position] != 0xFF:
            raise _rejected("JPEG 文件结构错误或不完整", "bad or truncated JPEG")
        while position < len(content) and content[position] == 0xFF:
            position += 1  # fill bytes
        if position >= len(content):
            raise _rejected("JPEG 文件不完整", "no EOI")
        marker = content[position]
        position += 1
        if marker == _JPEG_EOI:
            break
        if marker in _JPEG_STANDALONE:
            continue
        if position + 2 > len(content):
            raise _rejected("JPEG 文件不完整", "truncated segment")
        (length,) = struct.unpack_from(">H", content, position)
        if length < 2 or position + length > len(content):
            raise _rejected("JPEG 文件结构错误", "bad segment length")
        if marker in _JPEG_FRAMES:
            if length < 8:
                raise _rejected("JPEG 文件结构错误", "short frame header")
            height, width = struct.unpack_from(">HH", content, position + 3)
            _check_size(width, height, max_pixels)
            framed = True
        position += length
        if marker == _JPEG_SOS:
            if not framed:
                raise _rejected("JPEG 文件结构错误", "scan before frame")
            position = _after_entropy_data(content, position)
    if _HOSTILE_TRAILER.search(content, position):
        raise _rejected("JPEG 文件结束标记后附带了其他文件", "hidden content after EOI")


def _after_entropy_data(content: bytes, position: int) -> int:
    """The index of the marker that ends a scan's entropy-coded data."""
    while True:
        at = content.find(b"\xff", position)
        if at < 0 or at + 1 >= len(content):
            raise _rejected("JPEG 文件不完整", "no EOI")
        following = content[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = at + 2  # a stuffed 0xFF or a restart marker
        elif following == 0xFF:
            position = at + 1  # fill byte before a marker
        else:
            return at


# Names that let a PDF run something or carry a file. The long ones are searched in the whole
# file, streams included (they are too long to occur by chance in compressed data); /JS and /AA
# only outside streams and inside object streams.
_PDF_LONG_NAMES = frozenset(
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
_PDF_NAMES = _PDF_LONG_NAMES | {b"JS", b"AA"}
_PDF_LONG = re.compile(rb"/(?:%s)" % b"|".join(sorted(_PDF_LONG_NAMES)))
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_ESCAPED_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*#[0-9A-Fa-f]{2}")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_PDF_FILTERS = frozenset(
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
        b"Predictor",
    }
)
_PDF_INFLATE_LIMIT = 50 * MB  # all object streams, inflated; they are small in real files


def _pdf_names(data: bytes) -> set[bytes]:
    return {
        _PDF_HEX.sub(lambda m: bytes.fromhex(m[1].decode()), n) for n in _PDF_NAME.findall(data)
    }


def _pdf_active() -> UploadRejected:
    return _rejected(
        "PDF 含有脚本、自动操作或嵌入文件，请打印为普通 PDF 或扫描后上传",
        "PDF with JavaScript, actions or embedded files",
    )


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-1024:]:
        raise _rejected("PDF 文件不完整", "no %%EOF at the end")
    if _PDF_LONG.search(content):
        raise _pdf_active()
    for escaped in _PDF_ESCAPED_NAME.findall(content):
        if _pdf_names(escaped) & _PDF_NAMES:
            raise _pdf_active()

    names: set[bytes] = set()
    object_streams: list[tuple[set[bytes], bytes]] = []
    position = 0
    search_from = 0
    while match := _PDF_STREAM.search(content, search_from):
        if content[match.start() - 3 : match.start()] == b"end":
            search_from = match.end()  # a stray "endstream"
            continue
        head = content[position : match.start()]
        names |= _pdf_names(head)
        end = content.find(b"endstream", match.end())
        if end < 0:
            raise _rejected("PDF 文件结构错误", "stream without endstream")
        dictionary = _pdf_names(head[max(head.rfind(b"obj"), 0) :])
        if b"ObjStm" in dictionary or {b"N", b"First"} <= dictionary:
            object_streams.append((dictionary, content[match.end() : end]))
        position = search_from = end + len(b"endstream")
    names |= _pdf_names(content[position:])

    if object_streams and b"Encrypt" in names:
        raise _rejected("PDF 已加密，无法检查，请另存为未加密的 PDF", "encrypted PDF")
    budget = _PDF_INFLATE_LIMIT
    for dictionary, body in object_streams:
        if dictionary & _PDF_FILTERS:
            raise _rejected("PDF 使用了无法检查的压缩方式", "object stream filter")
        if b"FlateDecode" in dictionary:
            body = _inflate(body, budget)
            budget -= len(body)
        names |= _pdf_names(body)
    if names & _PDF_NAMES:
        raise _pdf_active()


def _inflate(body: bytes, budget: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, budget + 1)
    except zlib.error:
        raise _rejected("PDF 文件已损坏", "corrupt object stream") from None
    if len(data) > budget:
        raise _rejected("PDF 对象流解压后过大", "object streams inflate too much")
    return data
