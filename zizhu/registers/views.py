from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from zizhu.access import Action, require
from zizhu.lib.exports import INTEGER, Column, Table, export_response
from zizhu.registers.forms import UploadForm
from zizhu.registers.kinds import FILE_COLUMNS
from zizhu.registers.models import Kind, Snapshot, Status
from zizhu.registers.selectors import current_snapshots, snapshots
from zizhu.registers.services import register_upload
from zizhu.store.schemas import shape_of

PROBLEMS_SHOWN = 200


def _problems(snapshot: Snapshot, limit: int | None = None) -> list[list]:
    """The stored problems (the first `limit`) with each column by its Chinese name (the file's
    header), as the page and the error report show them; the API keeps the English names."""
    labels = {c.name: c.alias for c in FILE_COLUMNS[shape_of(snapshot.kind)]}
    problems = snapshot.problems[:limit]
    return [[row, labels.get(column, column), text] for row, column, text in problems]


def snapshot_list(request):
    require(request, Action.MANAGE_REGISTERS)
    queryset, filters = snapshots(request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    current = current_snapshots()
    return render(
        request,
        "registers/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "kinds": Kind.choices,
            "statuses": Status.choices,
            "current": [(label, current.get(kind)) for kind, label in Kind.choices],
            "latest": current,
        },
    )


def snapshot_upload(request):
    require(request, Action.MANAGE_REGISTERS)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        snapshot = register_upload(
            kind=form.cleaned_data["kind"],
            month=form.cleaned_data["month"],
            upload=form.cleaned_data["file"],
            actor=request.user,
            request=request,
        )
        return redirect("registers:detail", pk=snapshot.pk)
    return render(request, "registers/upload.html", {"form": form})


def snapshot_detail(request, pk: int):
    require(request, Action.MANAGE_REGISTERS)
    snapshot = get_object_or_404(Snapshot.objects.select_related("created_by", "job"), pk=pk)
    partial = request.headers.get("HX-Request")
    return render(
        request,
        "registers/_snapshot.html" if partial else "registers/detail.html",
        {
            "snapshot": snapshot,
            "job": snapshot.job,
            "problems": _problems(snapshot, PROBLEMS_SHOWN),
            "problems_shown": min(len(snapshot.problems), PROBLEMS_SHOWN),
        },
    )


def snapshot_problems(request, pk: int):
    """The error report of a rejected file as CSV (reasons only, never raw values)."""
    require(request, Action.MANAGE_REGISTERS)
    snapshot = get_object_or_404(Snapshot, pk=pk)
    rows = [[row or "", column, message] for row, column, message in _problems(snapshot)]
    if snapshot.error_count > len(snapshot.problems):
        more = snapshot.error_count - len(snapshot.problems)
        rows.append(["", "", _("%(n)s more problems not listed") % {"n": more}])
    table = Table(
        [Column(_("Row"), INTEGER), Column(_("Column")), Column(_("Problem"))],
        rows,
        sheet=_("Problems"),
    )
    title = _("Register problems")
    name = f"{title}-{snapshot.get_kind_display()}-{snapshot.month}-{snapshot.pk}"
    return export_response(table, name, "csv")
