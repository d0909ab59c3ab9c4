from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zizhu.anomalies.models import Run
from zizhu.anomalies.services import run_abandon
from zizhu.audit.admin_mixins import SysadminAdminMixin
from zizhu.lib import formats
from zizhu.recipients.models import Term


@admin.register(Run)
class RunAdmin(SysadminAdminMixin, admin.ModelAdmin):
    """Runs are written by the service only; here they can be read, and a run whose worker
    died can be marked failed so that its month can run again."""

    list_display = ("number", "month", "engine", "status", "total", "created_by", "started_at")
    list_filter = ("status", "engine")
    search_fields = ("month",)
    actions = ["abandon"]
    # the stored figures as a person reads them; the ~200 lists a run checked as a count a term
    fields = (
        "month",
        "engine",
        "status",
        "created_by",
        "job",
        "created_at",
        "started_at",
        "finished_at",
        "seconds",
        "total",
        "per_rule",
        "rows_per_term",
        "error",
    )
    readonly_fields = ("seconds", "per_rule", "rows_per_term")

    @admin.display(description=_("Number"), ordering="id")
    def number(self, run: Run) -> int:
        return run.pk

    @admin.display(description=_("Duration"))
    def seconds(self, run: Run) -> str:
        return formats.seconds(run.duration)

    @admin.display(description=_("Findings per rule"))
    def per_rule(self, run: Run) -> str:
        counts = sorted((int(rule), n) for rule, n in (run.counts or {}).items())
        return "；".join(_("Rule %(rule)s: %(n)s") % {"rule": r, "n": f"{n:,}"} for r, n in counts)

    @admin.display(description=_("List rows per term"))
    def rows_per_term(self, run: Run) -> str:
        terms = dict(Term.choices)
        shown = []
        for key, rows in sorted((run.list_rows or {}).items()):
            year, _dash, term = key.partition("-")
            shown.append(f"{year} {terms.get(term, term)}：{rows:,}")
        return "；".join(shown)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark unfinished runs as failed"))
    def abandon(self, request, queryset):
        count = sum(run_abandon(run=run, actor=request.user, request=request) for run in queryset)
        message = ngettext(
            "%(n)d run was marked failed.", "%(n)d runs were marked failed.", count
        ) % {"n": count}
        self.message_user(request, message, messages.SUCCESS)
