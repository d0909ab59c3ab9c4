from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zizhu.anomalies.models import Run
from zizhu.anomalies.services import run_abandon
from zizhu.audit.admin_mixins import SysadminAdminMixin


@admin.register(Run)
class RunAdmin(SysadminAdminMixin, admin.ModelAdmin):
    """Runs are written by the service only; here they can be read, and a run whose worker
    died can be marked failed so that its month can run again."""

    list_display = ("id", "month", "engine", "status", "total", "created_by", "started_at")
    list_filter = ("status", "engine")
    search_fields = ("month",)
    actions = ["abandon"]

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
