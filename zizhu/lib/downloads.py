"""Stored files (uploads kept by a FileField) served back as downloads.

Every stored upload leaves the system the same way: opened from storage (a file gone from
storage, or quarantined, is a 404, not a 500), sent as an attachment under its Chinese name
(RFC 6266 filename*=UTF-8''…), with headers that keep a browser from rendering or sniffing it and
every cache from keeping it. Callers check access (and audit) themselves.
"""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from zizhu.lib.uploads import content_disposition_attachment, is_quarantined

OCTET_STREAM = "application/octet-stream"


def open_stored(field: FieldFile):
    """The stored file opened for reading; Http404 when storage no longer has it or it was
    quarantined (`manage.py recheck_uploads --fix`)."""
    if is_quarantined(field.name):
        raise Http404
    try:
        return field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc


def stored_download(
    field: FieldFile, *, name: str, content_type: str = "", fallback: str = "download"
) -> FileResponse:
    """The stored file as a download called `name` that no browser renders and no cache
    keeps; `fallback` stands in for a name with nothing usable in it."""
    response = FileResponse(open_stored(field), content_type=content_type or OCTET_STREAM)
    response["Content-Disposition"] = content_disposition_attachment(name, fallback)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, no_store=True, private=True)
    return response
