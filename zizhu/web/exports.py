"""Downloads of `zizhu.lib.exports` tables: the one response helper every export uses."""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from zizhu.lib.exports import CSV, XLSX, Table, to_csv, to_xlsx
from zizhu.lib.uploads import content_disposition_attachment


def export_response(table: Table, name: str, fmt: str = "xlsx") -> HttpResponse:
    """The table as an XLSX (or CSV) download called `name` plus the extension; the name is
    Chinese and reaches the browser through RFC 6266's filename*=UTF-8''…."""
    if fmt == "csv":
        body, content_type = to_csv(table), CSV
    else:
        fmt, body, content_type = "xlsx", to_xlsx(table), XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_attachment(f"{name}.{fmt}", "export")
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response
