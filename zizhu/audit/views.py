from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from zizhu.access import Action, require
from zizhu.audit.details import described
from zizhu.audit.labels import action_choices
from zizhu.audit.models import Result
from zizhu.audit.selectors import audit_events
from zizhu.audit.services import audit_record
from zizhu.lib.exports import CODE, DATETIME, Column, Table, export_response, label

EXPORT_LIMIT = 200_000


def audit_list(request):
    require(request, Action.READ_AUDIT)
    events, filters = audit_events(request.GET)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "rows": list(described(page)),
            "filters": filters,
            "actions": action_choices(),
            "results": Result.choices,
            "query": query.urlencode(),
        },
    )


def audit_export(request):
    require(request, Action.READ_AUDIT)
    events, filters = audit_events(request.GET)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    table = Table(
        [
            Column(_("Time"), DATETIME),
            Column(_("Username")),
            Column(_("Unit code"), CODE),
            Column(_("Action")),
            Column(_("Object type")),
            Column(_("Object ID"), CODE),
            Column(_("Result")),
            Column(_("IP address"), CODE),
            Column(_("Detail")),
        ],
        (
            [
                e.at,
                e.actor_username,
                e.unit_code,
                e.action_label,
                e.object_label,
                e.object_id,
                label(Result, e.result),
                e.ip or "",
                detail,
            ]
            for e, detail in described(events[:EXPORT_LIMIT].iterator(chunk_size=2000))
        ),
        sheet=_("Audit log"),
    )
    response = export_response(table, _("Audit log"), fmt)
    audit_record(request=request, action="audit.export", detail={"filters": filters, "format": fmt})
    return response
