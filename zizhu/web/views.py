from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from zizhu.access import Action, can, get_unit_for_user, is_school, require
from zizhu.accounts import services as account_services
from zizhu.fundreports.todo import schools_by_stage
from zizhu.units.models import Stage
from zizhu.units.selectors import children_with_school_counts, trail
from zizhu.web.todo import key_figures, todo_lines

# The administrators' duties on their home page: (action, label, page)
DUTIES = (
    (Action.MANAGE_USERS, _lazy("Users and units"), "admin:index"),
    (Action.SECURITY, _lazy("Security settings"), "web:security"),
    (Action.READ_AUDIT, _lazy("Audit log"), "audit:list"),
)


def home(request):
    user = request.user
    context = {
        "unit": user.unit,
        "school_user": is_school(user),
        "duties": [(label, page) for action, label, page in DUTIES if can(user, action)],
    }
    if can(user, Action.VIEW):
        context["todo_lines"] = todo_lines(user)
        context["figures"] = key_figures(user)
        if context["figures"] and not context["todo_lines"]:
            context["todo_lines"] = None  # a reader's home page: the key figures only
    # the schools in scope per stage (a school's own page does not show them)
    if can(user, Action.VIEW) and user.unit is not None and not is_school(user):
        counts = schools_by_stage(user)
        context["stage_counts"] = [(label, counts.get(value, 0)) for value, label in Stage.choices]
        context["school_total"] = sum(counts.values())
    return render(request, "web/home.html", context)


def units(request):
    require(request, Action.VIEW)
    return redirect("web:unit", code=request.user.unit.code)


def unit_detail(request, code: str):
    unit = get_unit_for_user(request, code, Action.VIEW)
    children = children_with_school_counts(unit) if unit.is_authority else []
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "trail": trail(request.user.unit, unit),
            "children": children,
            "stages": Stage.choices,
        },
    )


def security(request):
    require(request, Action.SECURITY)
    from axes.models import AccessAttempt

    locked = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    policy = [
        (_("Minimum password length"), settings.ZIZHU_PASSWORD_MIN_LENGTH),
        (_("Minimum character classes"), settings.ZIZHU_PASSWORD_MIN_CLASSES),
        (_("Failures before lockout"), settings.AXES_FAILURE_LIMIT),
        (_("Lockout (minutes)"), int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)),
        (_("Idle timeout (minutes)"), int(settings.ZIZHU_IDLE_TIMEOUT.total_seconds() // 60)),
        (
            _("Maximum session (hours)"),
            int(settings.ZIZHU_ABSOLUTE_TIMEOUT.total_seconds() // 3600),
        ),
        (_("Audit retention (days)"), settings.ZIZHU_AUDIT_RETENTION_DAYS),
    ]
    return render(request, "web/security.html", {"policy": policy, "locked": locked})


@require_POST
def security_unlock(request):
    require(request, Action.SECURITY)
    username = request.POST.get("username", "")[:150]
    account_services.lockout_clear(username=username, actor=request.user, request=request)
    messages.success(request, _("%(name)s was unlocked.") % {"name": username})
    return redirect("web:security")
