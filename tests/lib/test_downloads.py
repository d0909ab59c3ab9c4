"""zizhu.lib.downloads: a stored file leaves as an attachment under its Chinese name, inert and
uncached; a file gone from storage is a 404."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import Http404

from zizhu.lib.downloads import open_stored, stored_download


def stored(tmp_path, name: str, content: bytes | None) -> FieldFile:
    """A FieldFile called `name` in a storage under tmp_path (not saved when content is None)."""
    storage = FileSystemStorage(location=tmp_path)
    if content is not None:
        name = storage.save(name, ContentFile(content))
    field = FileField(storage=storage)
    field.name = "file"
    return FieldFile(None, field, name)


def test_it_sends_the_file_under_its_chinese_name(tmp_path):
    field = stored(tmp_path, "3f9a.pdf", b"%PDF-1.4 body")
    response = stored_download(
        field, name="资助通知.pdf", content_type="application/pdf", fallback="document"
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.4 body"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"document.pdf\"; filename*=UTF-8''"
        "%E8%B5%84%E5%8A%A9%E9%80%9A%E7%9F%A5.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache
    response.file_to_stream.close()


def test_an_unknown_type_is_sent_as_bytes_and_an_empty_name_as_the_fallback(tmp_path):
    field = stored(tmp_path, "a1b2.png", b"\x89PNG")
    response = stored_download(field, name="", fallback="voucher")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"voucher\"; filename*=UTF-8''voucher"
    )
    response.file_to_stream.close()  # (response.close() would signal request_finished)


def test_a_file_gone_from_storage_is_a_404(tmp_path):
    field = stored(tmp_path, "gone.pdf", None)
    with pytest.raises(Http404):
        open_stored(field)
    with pytest.raises(Http404):
        stored_download(field, name="通知.pdf")
