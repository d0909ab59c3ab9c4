"""`manage.py recheck_uploads [--fix]`: files stored before today's upload checks existed are
judged by the same checks. The hostile corpus is written straight into the storage and the
records (as an upload of the time would have left them), next to clean files: the command
names each hostile file with its unit and the reason in Chinese, leaves the clean ones alone,
and with --fix quarantines refused files and re-encodes images, audited, keeping the records."""

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from tests.anomalies.factories import make_explanation, make_finding, make_run
from tests.conftest import login_as
from tests.funds.conftest import YEAR, _project
from tests.hostile_files import photo_jpeg, plain_jpeg, plain_pdf, screenshot_png
from tests.security.test_hostile_uploads import HOSTILE_IMAGES, HOSTILE_PDFS
from zizhu.anomalies.models import Explanation
from zizhu.audit.models import AuditEvent
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create
from zizhu.lib.uploads import random_storage_name
from zizhu.lib.uploads.images import only_pixels
from zizhu.vouchers.models import Voucher, VoucherFile

SCHOOL = "3661000001"
PDF_ONLY = "正文附件只能是 PDF 文件"
EXTRA = "图片除像素外还带有其他内容（元数据或结束标记后的数据）"


@pytest.fixture
def grant(db):
    return _project("vocational_national_grant", "中职国家助学金", "vocational")


def put(folder: str, data: bytes, extension: str) -> str:
    return default_storage.save(f"{folder}/{random_storage_name(extension)}", ContentFile(data))


def extension(data: bytes) -> str:
    return "pdf" if data.startswith(b"%PDF") else "png" if data[1:4] == b"PNG" else "jpg"


def voucher_file(tree, users, grant, data: bytes) -> VoucherFile:
    voucher = Voucher.objects.create(
        unit=tree[SCHOOL],
        year=YEAR,
        project=grant,
        students=1,
        amount="100.00",
        created_by=users["school_operator"],
    )
    kind = extension(data)
    return VoucherFile.objects.create(
        voucher=voucher,
        file=put("vouchers", data, kind),
        name=f"回单.{kind}",
        content_type="application/pdf" if kind == "pdf" else f"image/{kind}",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def explanation(users, data: bytes, pid: int) -> Explanation:
    finding = make_finding(make_run(), SCHOOL, rule=9, pid=pid)
    kind = extension(data)
    return make_explanation(
        finding,
        users["school_operator"],
        attachment=put("anomalies/explanations", data, kind),
        attachment_name=f"证明.{kind}",
        attachment_type="application/pdf" if kind == "pdf" else f"image/{kind}",
    )


def filing_body(tree, users, grant, unit: str, data: bytes) -> Filing:
    filing = filing_create(unit=tree[unit], year=YEAR, project=grant, actor=None)
    name = put("funds/documents", data, extension(data))
    Filing.objects.filter(pk=filing.pk).update(document=name, document_name="正文.pdf")
    return Filing.objects.get(pk=filing.pk)


def recheck(*arguments: str) -> tuple[int, list[list[str]], str]:
    out = io.StringIO()
    try:
        call_command("recheck_uploads", *arguments, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    lines = out.getvalue().splitlines()
    return code, [line.split("\t") for line in lines[:-1]], lines[-1]


def stored_files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_it_names_every_hostile_file_with_its_unit_and_reason_and_leaves_clean_ones(
    tree, users, grant
):
    hostile = {}  # (kind, id): (unit, the reason it must give)
    for data, reason in [*HOSTILE_PDFS.values(), *HOSTILE_IMAGES.values()]:
        hostile["凭证文件", voucher_file(tree, users, grant, data).pk] = (SCHOOL, reason)
    for pid, (data, reason) in enumerate([*HOSTILE_PDFS.values(), *HOSTILE_IMAGES.values()]):
        hostile["核查说明", explanation(users, data, pid + 1).pk] = (SCHOOL, reason)
    open_uri, uri_reason = HOSTILE_PDFS["open action URI"]
    county = filing_body(tree, users, grant, "610112", open_uri)
    hostile["资金填报", county.pk] = ("610112", uri_reason)
    image_body = filing_body(tree, users, grant, "610111", plain_jpeg())
    hostile["资金填报", image_body.pk] = ("610111", PDF_ONLY)
    exif_photo = voucher_file(tree, users, grant, photo_jpeg())
    exif_png = explanation(users, screenshot_png(), 900)
    clean = [
        ("凭证文件", voucher_file(tree, users, grant, plain_pdf()).pk),
        ("凭证文件", voucher_file(tree, users, grant, plain_pdf(object_streams=True)).pk),
        ("凭证文件", voucher_file(tree, users, grant, plain_jpeg()).pk),
        ("核查说明", explanation(users, plain_pdf(), 901).pk),
        ("资金填报", filing_body(tree, users, grant, "610100", plain_pdf()).pk),
    ]
    before = stored_files()

    code, lines, summary = recheck()

    assert code == 1
    found = {(kind, int(pk)): (unit, outcome, reason) for kind, pk, unit, outcome, reason in lines}
    for key, (unit, reason) in hostile.items():
        got_unit, outcome, got_reason = found.pop(key)
        assert (got_unit, outcome) == (unit, "会被拒收") and got_reason.startswith(reason), key
    assert found.pop(("凭证文件", exif_photo.pk)) == (SCHOOL, "需重新编码", EXTRA)
    assert found.pop(("核查说明", exif_png.pk)) == (SCHOOL, "需重新编码", EXTRA)
    assert found == {} and not set(clean) & {(k, int(pk)) for k, pk, *_ in lines}
    n = len(hostile)
    assert summary == (
        f"共检查已存文件 {n + 2 + len(clean)} 个：会被拒收 {n} 个，需重新编码 2 个，"
        "找不到 0 个，已处理 0 个"
    )
    assert stored_files() == before  # a report changes nothing
    assert not AuditEvent.objects.filter(action__in=["uploads.quarantine", "uploads.reencode"])
    assert AuditEvent.objects.get(action="uploads.recheck").detail["refused"] == n


def test_it_names_the_units_of_filings_and_reports_a_missing_file(tree, users, grant):
    county = filing_body(tree, users, grant, "610112", HOSTILE_PDFS["link URI"][0])
    prefecture = filing_body(tree, users, grant, "610100", plain_pdf())
    default_storage.delete(prefecture.document.name)

    code, lines, summary = recheck()

    assert code == 1
    (kind, pk, unit, outcome, reason), missing = lines
    assert (kind, pk, unit, outcome) == ("资金填报", str(county.pk), "610112", "会被拒收")
    assert reason.startswith(HOSTILE_PDFS["link URI"][1])
    assert missing == ["资金填报", str(prefecture.pk), "610100", "找不到文件", "存储中找不到该文件"]
    assert "找不到 1 个" in summary


def test_fix_quarantines_refused_files_and_reencodes_images_audited_and_keeps_the_records(
    client, tree, users, grant, django_capture_on_commit_callbacks
):
    hostile_pdf, reason = HOSTILE_PDFS["open action GoToR"]
    refused = voucher_file(tree, users, grant, hostile_pdf)
    trailer = explanation(users, HOSTILE_IMAGES["JPEG then MZ header"][0], 1)
    photo = voucher_file(tree, users, grant, photo_jpeg(64, 48))
    clean = voucher_file(tree, users, grant, plain_pdf())
    clean_bytes = clean.file.read()
    old_refused, old_trailer, old_photo = (
        refused.file.name,
        trailer.attachment.name,
        photo.file.name,
    )

    with django_capture_on_commit_callbacks(execute=True):  # the old files leave on commit
        code, lines, summary = recheck("--fix")

    assert code == 0
    assert [line[3] for line in lines] == ["已隔离", "已重新编码", "已隔离"]
    assert summary.endswith("已处理 3 个")
    refused.refresh_from_db()
    trailer.refresh_from_db()
    photo.refresh_from_db()
    clean.refresh_from_db()
    # refused files: moved as they are under quarantine/, the record kept and pointing there
    assert refused.file.name == f"quarantine/{old_refused}"
    assert trailer.attachment.name == f"quarantine/{old_trailer}"
    files = stored_files()
    assert files[refused.file.name] == hostile_pdf and old_refused not in files
    assert old_trailer not in files and trailer.attachment_name == "证明.jpg"
    # the image: its pixels saved anew under a new name; size, hash and type follow
    assert photo.file.name.startswith("vouchers/") and photo.file.name != old_photo
    data = files[photo.file.name]
    assert only_pixels(data, "jpeg") and b"Exif" not in data and old_photo not in files
    assert (photo.size, photo.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert photo.content_type == "image/jpeg"
    # the clean file: untouched
    assert clean.file.name in files and files[clean.file.name] == clean_bytes
    # audited, with the unit and the reason
    quarantined = AuditEvent.objects.get(
        action="uploads.quarantine", object_type="vouchers.voucherfile", object_id=str(refused.pk)
    )
    assert quarantined.detail["unit"] == SCHOOL and quarantined.detail["reason"].startswith(reason)
    assert quarantined.detail["to"] == refused.file.name
    assert AuditEvent.objects.filter(
        action="uploads.quarantine", object_type="anomalies.explanation", object_id=str(trailer.pk)
    ).exists()
    reencoded = AuditEvent.objects.get(action="uploads.reencode")
    assert reencoded.detail["from"] == old_photo and reencoded.detail["to"] == photo.file.name
    # nobody downloads a quarantined file; the re-encoded one downloads
    login_as(client, users["school_operator"])
    gone = client.get(f"/funds/vouchers/files/{refused.pk}/")
    assert gone.status_code == 404 and not gone.has_header("Content-Disposition")
    assert "页面不存在" in gone.content.decode()  # the Chinese 404 page, not the file
    assert hostile_pdf not in gone.content
    assert client.get(f"/funds/vouchers/files/{photo.pk}/").status_code == 200
    # a second run finds nothing more
    again = "共检查已存文件 2 个：会被拒收 0 个，需重新编码 0 个，找不到 0 个，已处理 0 个"
    assert recheck() == (0, [], again)


def test_only_pixels_tells_a_reencoded_image_from_one_that_carries_more():
    from zizhu.lib.uploads.images import reencoded

    motion_photo = photo_jpeg(after=b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    for data, kind in [(motion_photo, "jpeg"), (photo_jpeg(), "jpeg"), (screenshot_png(), "png")]:
        assert not only_pixels(data, kind)
        assert only_pixels(reencoded(data, kind), kind)
    assert only_pixels(plain_jpeg(), "jpeg")  # what Pillow writes without metadata
    assert not only_pixels(plain_jpeg() + b"\x00", "jpeg")  # one byte after the end
