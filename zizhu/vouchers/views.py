"""支付凭证上传 (schools: upload, edit, delete) and the file download; 支付凭证查看, the
authorities' report over the schools below them, is zizhu/fundreports/vouchers_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import (
    Action,
    get_object_for_user,
    require,
    require_that,
)
from zizhu.audit.services import audit_record
from zizhu.lib.downloads import stored_download
from zizhu.vouchers import policy, services
from zizhu.vouchers.forms import FilterForm, VoucherEditForm, VoucherForm
from zizhu.vouchers.models import Voucher, VoucherFile
from zizhu.vouchers.selectors import (
    filtered,
    grand_total,
    vouchers_for,
    with_details,
)

PAGE_SIZE = 50


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page(request, vouchers):
    return Paginator(
        with_details(vouchers).order_by("-year", "unit__code", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))


# --- 支付凭证上传: the school's own vouchers -----------------------------------------------------


def school_vouchers(request):
    require(request, Action.VIEW)
    require_that(request, policy.sees_own_vouchers(request.user), "not_a_school_user")
    school = request.user.unit
    form = FilterForm(request.GET, projects=services.voucher_projects(school))
    vouchers = filtered(vouchers_for(request.user), **form.filters())
    return render(
        request,
        "vouchers/school_list.html",
        {
            "school": school,
            "form": form,
            "total": grand_total(vouchers),
            "page": _page(request, vouchers),
            "query": _query(request),
            "may_record": policy.may_record(request.user, school),
        },
    )


def voucher_upload(request):
    require(request, Action.VIEW)
    school = request.user.unit
    require_that(request, policy.may_record(request.user, school), "not_the_school")
    projects = services.voucher_projects(school)
    form = VoucherForm(request.POST or None, request.FILES or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            voucher = services.voucher_create(
                school=school,
                key=data["form_key"],
                year=data["year"],
                project=data["project"],
                students=data["students"],
                amount=data["amount"],
                note=data["note"],
                files=data["files"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The voucher was saved."))
            # a resent form lands here too, on the one voucher (docs/adr/0009)
            return redirect(reverse("vouchers:list") + f"#voucher-{voucher.pk}")
    return render(request, "vouchers/upload.html", {"form": form, "school": school})


def _own_voucher(request, pk: int) -> Voucher:
    """The voucher, if it is in scope (404 otherwise) and the user is its school's operator
    (403 otherwise)."""
    queryset = Voucher.objects.select_related("unit", "project")
    voucher = get_object_for_user(request, queryset, Action.VIEW, pk=pk)
    require_that(request, policy.may_record(request.user, voucher.unit), "not_the_school")
    return voucher


def voucher_edit(request, pk: int):
    voucher = _own_voucher(request, pk)
    form = VoucherEditForm(request.POST or None, request.FILES or None, voucher=voucher)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.voucher_update(
                voucher=voucher,
                version=data["version"],
                students=data["students"],
                amount=data["amount"],
                note=data["note"],
                add_files=data["files"],
                remove_files=[record.pk for record in data["remove"]],
                actor=request.user,
                request=request,
            )
        except services.StaleVoucher as exc:
            # Nothing of the stale form is kept: the page is read again from the database.
            messages.error(request, exc.messages[0])
            return redirect("vouchers:edit", pk=voucher.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The voucher was saved."))
            return redirect("vouchers:list")
    return render(request, "vouchers/edit.html", {"form": form, "voucher": voucher})


@require_POST
def voucher_delete(request, pk: int):
    voucher = _own_voucher(request, pk)
    try:
        services.voucher_delete(voucher=voucher, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The voucher was deleted."))
    return redirect("vouchers:list")


# --- download -------------------------------------------------------------------------------


def voucher_file(request, pk: int):
    """A voucher's file, in scope only, always as a download that no browser renders."""
    queryset = VoucherFile.objects.select_related("voucher")
    record = get_object_for_user(request, queryset, Action.VIEW, "voucher__unit", pk=pk)
    response = stored_download(
        record.file, name=record.name, content_type=record.content_type, fallback="voucher"
    )
    audit_record(
        request=request,
        action="vouchers.download",
        obj=record,
        detail={"voucher": record.voucher_id, "name": record.name, "sha256": record.sha256},
    )
    return response
