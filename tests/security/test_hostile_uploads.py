"""Hostile files posted through the real upload pages of the three places that take
attachments: the school's voucher upload (支付凭证上传), the school's explanation of a finding
(核查说明), the authority's filing body (正文附件, PDF only). Each refuses with the reason in
Chinese and stores nothing; a plain PDF passes; an accepted photo is stored as pixels only."""

import io
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.anomalies.factories import make_finding, make_run
from tests.conftest import login_as
from tests.funds.conftest import YEAR, _project
from tests.hostile_files import (
    HTML_PAGE,
    MZ_HEADER,
    action_reason,
    pdf_with_action,
    pdf_with_document_script,
    pdf_with_embedded_file,
    pdf_with_rich_media,
    pdf_with_xfa,
    photo_jpeg,
    plain_pdf,
)
from zizhu.anomalies.models import Explanation
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create
from zizhu.vouchers.models import Voucher

TRAILER = "JPEG 文件结束标记后附带了其他文件"
HOSTILE_PDFS = {  # name: (content, the reason the page shows)
    **{
        f"open action {kind}": (
            pdf_with_action("open_action", kind, object_streams=True),
            action_reason("open_action", kind),
        )
        for kind in (
            "URI",
            "GoToR",
            "GoToE",
            "Launch",
            "JavaScript",
            "SubmitForm",
            "ImportData",
        )
    },
    "page trigger Launch": (
        pdf_with_action("page_aa", "Launch", object_streams=True),
        action_reason("page_aa", "Launch"),
    ),
    "link URI": (pdf_with_action("link", "URI"), action_reason("link", "URI")),
    "document script": (pdf_with_document_script(), "文件含有自动执行的动作（运行脚本），已拒收"),
    "embedded file": (pdf_with_embedded_file(object_streams=True), "文件含有嵌入的文件，已拒收"),
    "rich media": (pdf_with_rich_media(object_streams=True), "文件含有多媒体内容，已拒收"),
    "XFA form": (pdf_with_xfa(object_streams=True), "文件含有 XFA 表单，已拒收"),
}
HOSTILE_IMAGES = {
    "JPEG then MZ header": (photo_jpeg(after=MZ_HEADER), TRAILER),
    "JPEG then HTML": (photo_jpeg(after=HTML_PAGE), TRAILER),
}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored(folder: str) -> list[Path]:
    path = Path(settings.MEDIA_ROOT) / folder
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


@pytest.fixture
def grant(db):
    return _project("vocational_national_grant", "中职国家助学金", "vocational")


def post_voucher(client, users, grant, name: str, data: bytes):
    login_as(client, users["school_operator"])
    return client.post(
        "/funds/vouchers/new/",
        {
            "year": str(YEAR),
            "project": grant.code,
            "students": "12",
            "amount": "27600.00",
            "note": "秋季学期",
            "files": [upload(name, data)],
            "form_key": str(uuid.uuid4()),
        },
    )


def post_explanation(client, users, name: str, data: bytes):
    finding = make_finding(make_run(), "3661000001", rule=9, pid=42)
    login_as(client, users["school_operator"])
    return client.post(
        f"/anomalies/findings/{finding.pk}/explain/",
        {"verdict": "false", "note": "该生已转出。", "attachment": upload(name, data)},
    )


def post_filing_body(client, tree, users, grant, name: str, data: bytes):
    filing = filing_create(
        unit=tree["610112"], year=YEAR, project=grant, actor=users["county_operator"]
    )
    login_as(client, users["county_operator"])
    return client.post(
        f"/funds/filings/{filing.pk}/",
        {
            "doc_number": "未财教〔2025〕3号",
            "doc_date": "2025-04-01",
            "doc_title": "转发资金通知",
            "own_funds": "50.00",
            "version": filing.version,
            "document": upload(name, data),
        },
    )


def refused(response, reason: str) -> None:
    assert response.status_code == 200
    assert reason in response.content.decode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [*HOSTILE_PDFS.values(), *HOSTILE_IMAGES.values()],
    ids=[*HOSTILE_PDFS, *HOSTILE_IMAGES],
)
def test_the_voucher_upload_refuses(client, users, grant, data, reason):
    name = "回单.jpg" if data.startswith(b"\xff\xd8") else "回单.pdf"

    refused(post_voucher(client, users, grant, name, data), reason)

    assert not Voucher.objects.exists() and not stored("vouchers")


@pytest.mark.parametrize(
    ("data", "reason"),
    [*HOSTILE_PDFS.values(), *HOSTILE_IMAGES.values()],
    ids=[*HOSTILE_PDFS, *HOSTILE_IMAGES],
)
def test_the_explanation_refuses(client, users, tree, data, reason):
    name = "证明.jpg" if data.startswith(b"\xff\xd8") else "证明.pdf"

    refused(post_explanation(client, users, name, data), reason)

    assert not Explanation.objects.exists() and not stored("anomalies")


@pytest.mark.parametrize(("data", "reason"), HOSTILE_PDFS.values(), ids=HOSTILE_PDFS.keys())
def test_the_filing_body_refuses(client, tree, users, grant, data, reason):
    refused(post_filing_body(client, tree, users, grant, "正文.pdf", data), reason)

    assert Filing.objects.get().document.name == "" and not stored("funds")


@pytest.mark.parametrize("object_streams", [False, True], ids=["plain objects", "object streams"])
def test_a_plain_pdf_passes_in_all_three_places(client, tree, users, grant, object_streams):
    data = plain_pdf(object_streams=object_streams)

    assert post_voucher(client, users, grant, "回单.pdf", data).status_code == 302
    assert post_explanation(client, users, "证明.pdf", data).status_code == 302
    assert post_filing_body(client, tree, users, grant, "正文.pdf", data).status_code == 302

    assert [p.read_bytes() for p in stored("")] == [data, data, data]


def test_a_phone_photo_is_stored_as_its_pixels_only(client, users, grant, tree):
    photo = photo_jpeg(64, 48, after=b"\x00\x00\x00\x18ftypmp42" + bytes(64))

    assert post_voucher(client, users, grant, "照片.jpg", photo).status_code == 302
    assert post_explanation(client, users, "照片.jpg", photo).status_code == 302

    files = stored("")
    assert len(files) == 2
    for path in files:
        data = path.read_bytes()
        image = Image.open(io.BytesIO(data))
        assert image.size == (48, 64) and not {"exif", "icc_profile", "comment"} & image.info.keys()
        assert data.endswith(b"\xff\xd9") and b"ftypmp42" not in data and b"Exif" not in data
