"""地方资助项目: a province's operator adds, edits, retires and restores the province's own
local-aid projects; the units of the province file them (ADR 0023)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import Action, get_object_for_user, require, require_that
from zizhu.catalogue import policy, services
from zizhu.catalogue.forms import LocalProjectForm, NewLocalProjectForm
from zizhu.catalogue.models import AidProject, Category
from zizhu.catalogue.selectors import local_projects_of


def _require_province_operator(request) -> None:
    require(request, Action.FILE)
    require_that(request, policy.may_manage_local_projects(request.user), "not_a_province_operator")


def _project(request, pk: int) -> AidProject:
    """The province's own project: 404 for any other (another province's, a national one)."""
    queryset = AidProject.objects.filter(category=Category.LOCAL, province=request.user.unit)
    return get_object_for_user(request, queryset, Action.FILE, unit_field="province", pk=pk)


def local_projects(request):
    _require_province_operator(request)
    form = NewLocalProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.local_project_create(
                province=request.user.unit, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The local aid project was added."))
            return redirect("catalogue:local_projects")
    return render(
        request,
        "catalogue/local_projects.html",
        {"form": form, "projects": local_projects_of(request.user.unit)},
    )


def local_project_edit(request, pk: int):
    _require_province_operator(request)
    project = _project(request, pk)
    initial = {name: getattr(project, name) for name in services.EDITABLE}
    form = LocalProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.local_project_update(project=project, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The local aid project was saved."))
            return redirect("catalogue:local_projects")
    return render(request, "catalogue/local_project_edit.html", {"form": form, "project": project})


def _set_active(request, pk: int, active: bool):
    _require_province_operator(request)
    project = _project(request, pk)
    services.local_project_set_active(project=project, active=active, actor=request.user)
    if active:
        messages.success(request, _("The local aid project is in use again."))
    else:
        messages.success(request, _("The local aid project was retired."))
    return redirect("catalogue:local_projects")


@require_POST
def local_project_retire(request, pk: int):
    return _set_active(request, pk, active=False)


@require_POST
def local_project_restore(request, pk: int):
    return _set_active(request, pk, active=True)
