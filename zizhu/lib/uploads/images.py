"""JPEG and PNG attachments: their structure checked by hand, then decoded and saved anew.

The structure is read before any decoder runs (cheap, and it names the fault): a PNG's chunks
from IHDR (first) through IDAT to IEND (last, nothing after it), every CRC right; a JPEG's
segments from SOI through a frame header and its scans to EOI; the size in pixels from the
header. After a JPEG's EOI, markup a browser could render, an executable (ELF anywhere, PE or
Mach-O or a script at the start), a PDF or a zip is refused; other data there (phones append
gain maps and motion-photo video) is allowed, and dropped by the re-encoding.

Then Pillow decodes the whole image (a file that does not decode completely is refused) and
saves its pixels anew: turned upright by the EXIF orientation, converted to sRGB when it
carries a colour profile, JPEG with the original's quantisation tables and subsampling (the
same quality), PNG losslessly with its transparency. Nothing else survives: no EXIF (GPS
position, camera serial), no text chunks or comments, no colour profile, no data after the end.
"""

import io
import re
import struct
import warnings
import zlib

from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, JpegImagePlugin

from zizhu.lib.uploads.errors import rejected

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_size(width: int, height: int, max_pixels: int) -> None:
    if not width or not height:
        raise rejected(_("The picture's size is not valid"), "zero width or height")
    if width * height > max_pixels:
        raise rejected(
            _("The picture exceeds the limit of %(limit)s pixels") % {"limit": max_pixels},
            f"more than {max_pixels} pixels",
        )


def check_png(content: bytes, max_pixels: int) -> None:
    view = memoryview(content)
    position = len(PNG_SIGNATURE)
    seen_data = False
    while True:
        if position + 12 > len(content):
            raise rejected(_("The PNG file is incomplete"), "truncated PNG")
        length, kind = struct.unpack_from(">I4s", content, position)
        end = position + 8 + length
        if length > 0x7FFFFFFF or not kind.isalpha() or end + 4 > len(content):
            raise rejected(_("The PNG file's structure is wrong"), "bad PNG chunk")
        (crc,) = struct.unpack_from(">I", content, end)
        if zlib.crc32(view[position + 4 : end]) != crc:
            raise rejected(_("The PNG file fails its checksum"), "bad PNG chunk CRC")
        if position == len(PNG_SIGNATURE):
            if kind != b"IHDR" or length != 13:
                raise rejected(
                    _("The PNG file's structure is wrong"), "IHDR is not the first chunk"
                )
            width, height = struct.unpack_from(">II", content, position + 8)
            _check_size(width, height, max_pixels)
        seen_data = seen_data or kind == b"IDAT"
        position = end + 4
        if kind == b"IEND":
            break
    if not seen_data:
        raise rejected(_("The PNG file has no image data"), "no IDAT")
    if position != len(content):
        raise rejected(_("The PNG file has more data after its end mark"), "data after IEND")


_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9
# What may not stand anywhere after EOI: markup a browser could render, executables, PDFs and
# zips. Each is five bytes or more, so compressed video after the image never matches by chance.
_HOSTILE_TRAILER = re.compile(
    rb"<(?:!doctype|html|head|body|script|svg|iframe|frame|object|embed|img\s|meta\s|link\s|"
    rb"base\s|form|style|math|a\s+href|div[\s>]|span[\s>]|table|input|button|title>|\?php)|"
    rb"javascript:|"
    rb"\x7fELF|This program cannot be run|PE\x00\x00[\x4c\x64\xaa]|%PDF-|PK\x03\x04",
    re.IGNORECASE,
)
# What may not start the data after EOI (after padding): an executable's or a script's magic.
_EXECUTABLE_START = re.compile(
    rb"[\x00\s]*(?:MZ|#!|\xfe\xed\xfa[\xce\xcf]|[\xce\xcf]\xfa\xed\xfe|\xca\xfe\xba\xbe)"
)


def check_jpeg(content: bytes, max_pixels: int) -> None:
    position = 2  # after SOI
    framed = False
    while True:
        if position >= len(content) or content[position] != 0xFF:
            raise rejected(
                _("The JPEG file's structure is wrong or incomplete"), "bad or truncated JPEG"
            )
        while position < len(content) and content[position] == 0xFF:
            position += 1  # fill bytes
        if position >= len(content):
            raise rejected(_("The JPEG file is incomplete"), "no EOI")
        marker = content[position]
        position += 1
        if marker == _JPEG_EOI:
            break
        if marker in _JPEG_STANDALONE:
            continue
        if position + 2 > len(content):
            raise rejected(_("The JPEG file is incomplete"), "truncated segment")
        (length,) = struct.unpack_from(">H", content, position)
        if length < 2 or position + length > len(content):
            raise rejected(_("The JPEG file's structure is wrong"), "bad segment length")
        if marker in _JPEG_FRAMES:
            if length < 8:
                raise rejected(_("The JPEG file's structure is wrong"), "short frame header")
            height, width = struct.unpack_from(">HH", content, position + 3)
            _check_size(width, height, max_pixels)
            framed = True
        position += length
        if marker == _JPEG_SOS:
            if not framed:
                raise rejected(_("The JPEG file's structure is wrong"), "scan before frame")
            position = _after_entropy_data(content, position)
    if _HOSTILE_TRAILER.search(content, position) or _EXECUTABLE_START.match(content, position):
        raise rejected(
            _("The JPEG file carries another file after its end mark"), "hidden content after EOI"
        )


def _after_entropy_data(content: bytes, position: int) -> int:
    """The index of the marker that ends a scan's entropy-coded data."""
    while True:
        at = content.find(b"\xff", position)
        if at < 0 or at + 1 >= len(content):
            raise rejected(_("The JPEG file is incomplete"), "no EOI")
        following = content[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = at + 2  # a stuffed 0xFF or a restart marker
        elif following == 0xFF:
            position = at + 1  # fill byte before a marker
        else:
            return at


# What `reencoded` writes and nothing more: a JPEG's JFIF header (without thumbnail), tables,
# frame and scans; a PNG's header, palette, transparency and data.
_PIXEL_SEGMENTS = frozenset({0xC4, 0xDB, 0xDD, _JPEG_SOS, *_JPEG_FRAMES})
_PIXEL_CHUNKS = frozenset({b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"})


def only_pixels(content: bytes, kind: str) -> bool:
    """Whether an image that passed `check_png` / `check_jpeg` holds nothing but its pixels,
    as `reencoded` saves them: no metadata, comment, profile, thumbnail or trailer. A stored
    image for which this is false was stored before the re-encoding, or around it."""
    if kind == "png":
        position = len(PNG_SIGNATURE)
        while position < len(content):
            length, chunk = struct.unpack_from(">I4s", content, position)
            if chunk not in _PIXEL_CHUNKS:
                return False
            position += 12 + length
        return True
    position = 2
    while True:
        while content[position] == 0xFF:
            position += 1
        marker = content[position]
        position += 1
        if marker == _JPEG_EOI:
            return position == len(content)
        if marker in _JPEG_STANDALONE:
            continue
        (length,) = struct.unpack_from(">H", content, position)
        jfif = marker == 0xE0 and length == 16 and content[position + 2 : position + 7] == b"JFIF\0"
        if marker not in _PIXEL_SEGMENTS and not jfif:
            return False
        position += length
        if marker == _JPEG_SOS:
            position = _after_entropy_data(content, position)


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def reencoded(content: bytes, kind: str) -> bytes:
    """The image's pixels saved anew as `kind` ("jpeg" or "png"), nothing else kept;
    UploadRejected when it does not decode completely."""
    image_format = "PNG" if kind == "png" else "JPEG"
    # Pillow's switch is process-wide, and a library may turn it on when imported (WeasyPrint,
    # for the manual's PDF, does): a truncated image must still be refused here.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # The size was checked against ATTACHMENT_MAX_PIXELS from the header already.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[image_format]) as image:
                image.load()
                return _saved(image, image_format)
    except Exception:  # whatever the decoder fails on is not an image to keep
        raise rejected(
            _("The picture does not decode completely; the file may be damaged"), "does not decode"
        ) from None


def _saved(image: Image.Image, image_format: str) -> bytes:
    options: dict = {}
    if image_format == "JPEG":
        options["qtables"] = image.quantization
        sampling = JpegImagePlugin.get_sampling(image)
        if sampling >= 0:
            options["subsampling"] = sampling
    elif image.info.get("transparency") is not None:
        options["transparency"] = image.info["transparency"]
    profile = image.info.get("icc_profile")
    clean = ImageOps.exif_transpose(image)
    clean.info = {}
    if profile and clean.mode in ("RGB", "RGBA", "CMYK"):
        clean = _to_srgb(clean, profile)
    if image_format == "JPEG" and clean.mode not in ("L", "RGB"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    clean.save(out, image_format, **options)
    return out.getvalue()


def _to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        converted = ImageCms.profileToProfile(
            image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), _SRGB, outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are
    assert converted is not None
    converted.info = {}
    return converted
