"""Checks on voucher and explanation attachments: PDF, JPEG or PNG, judged by content.

The content decides what a file is. The name's extension must be one of .pdf, .jpg, .jpeg,
.png, but it need not agree with the content: a photo saved as "x.jpg" that is really a PNG is
accepted as a PNG, stored under a random name with the extension of its content and served with
the content type of its content. A file is refused when it is:

- empty or larger than `max_bytes` (10 MB);
- an executable (ELF, PE, Mach-O, a script with #!), markup (SVG, HTML, XML), or any other
  format, whatever its name;
- a PNG or JPEG whose structure is broken, that does not decode completely, that is larger
  than `max_pixels` pixels, or a JPEG with markup, an executable, a PDF or a zip after its end
  marker (`images`);
- a PDF that is truncated, that has an automatic action other than a plain go-to inside the
  file, any action that opens a link or another file, starts a program, runs a script, submits
  a form or imports data, document scripts, embedded files, RichMedia or XFA, or that cannot be
  read safely (`pdfs`).

What is stored is `AttachmentInfo.content`: a PDF as uploaded, an image decoded and saved anew
(only its pixels: no metadata, nothing after its end).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from zizhu.lib.uploads.errors import MB, UploadRejected, rejected
from zizhu.lib.uploads.images import PNG_SIGNATURE, check_jpeg, check_png, reencoded
from zizhu.lib.uploads.pdfs import check_pdf

ATTACHMENT_MAX_BYTES = 10 * MB
ATTACHMENT_MAX_PIXELS = 100_000_000
ALLOWED_EXTENSIONS = frozenset({".pdf", ".jpg", ".jpeg", ".png"})


@dataclass(frozen=True)
class AttachmentInfo:
    kind: str  # "pdf", "jpeg" or "png"
    content_type: str
    extension: str  # of the content, without the dot: "pdf", "jpg" or "png"
    size: int  # of `content`
    content: bytes = field(repr=False)  # what to store: a PDF as uploaded, an image re-encoded


_KINDS = {  # kind: (content type, extension)
    "pdf": ("application/pdf", "pdf"),
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
}
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
        raise rejected(_("The file is empty"), "empty file")
    if len(content) > max_bytes:
        raise rejected(
            _("The file exceeds the limit of %(size)s MB") % {"size": f"{max_bytes / MB:g}"},
            f"larger than {max_bytes / MB:g} MB",
        )
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    if suffix not in ALLOWED_EXTENSIONS:
        raise rejected(
            _("Only PDF, JPG, JPEG and PNG files can be uploaded"), "only PDF, JPG, JPEG, PNG"
        )
    kind = _sniff(content)
    if kind == "pdf":
        check_pdf(content)
    else:
        (check_png if kind == "png" else check_jpeg)(content, max_pixels)
        content = reencoded(content, kind)
    content_type, extension = _KINDS[kind]
    return AttachmentInfo(kind, content_type, extension, len(content), content)


def check_pdf_document(
    name: str, data: bytes | BinaryIO, *, max_bytes: int = ATTACHMENT_MAX_BYTES
) -> AttachmentInfo:
    """`check_attachment` for a document that may only be a PDF (a filing's body): a JPEG or
    PNG, acceptable as an attachment elsewhere, is refused too. The one place of that rule, for
    the upload and for the recheck of stored files."""
    info = check_attachment(name, data, max_bytes=max_bytes)
    if info.kind != "pdf":
        raise UploadRejected(_("The document body must be a PDF file"))
    return info


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
    if content.startswith(PNG_SIGNATURE):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(_EXECUTABLES):
        raise rejected(_("Programs and scripts cannot be uploaded"), "executable")
    if _MARKUP.match(content.removeprefix(b"\xef\xbb\xbf")):
        raise rejected(_("SVG, HTML and XML files cannot be uploaded"), "markup, not an image")
    if content[4:12] in {b"ftypheic", b"ftypheix", b"ftypmif1"}:
        raise rejected(
            _("HEIC photos are not supported; convert the photo to JPG and upload it"), "HEIC"
        )
    raise rejected(_("The file's content is not a PDF, JPG or PNG"), "not a PDF, JPEG or PNG")
