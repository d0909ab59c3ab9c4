from datetime import UTC

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from zizhu.access import Action, require
from zizhu.audit.models import Result
from zizhu.audit.selectors import audit_events
from zizhu.audit.services import audit_record
from zizhu.lib.exports import to_csv, to_xlsx

EXPORT_LIMIT = 200_000
HEADER = ["at_utc", "actor", "unit", "action", "object_type", "object_id", "result", "ip", "detail"]


def audit_list(request):
    require(request, Action.READ_AUDIT)
    events, filters = audit_events(request.GET)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {"page": page, "filters": filters, "results": Result.choices, "query": query.urlencode()},
    )


def audit_export(request):
    require(request, Action.READ_AUDIT)
    events, filters = audit_events(request.GET)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    rows = (
        [
            e.at.astimezone(UTC).isoformat(),
            e.actor_username,
            e.unit_code,
            e.action,
            e.object_type,
            e.object_id,
            e.result,
            e.ip or "",
            str(e.detail or ""),
        ]
        for e in events[:EXPORT_LIMIT].iterator(chunk_size=2000)
    )
    body = to_xlsx(HEADER, rows, "audit") if fmt == "xlsx" else to_csv(HEADER, rows)
    audit_record(request=request, action="audit.export", detail={"filters": filters, "format": fmt})
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="audit.{fmt}"'
    return response
