"""What every admin page of the project shares: the system administrator's role decides, not
Django's per-model permissions, and every write is audited like a service write."""

from zizhu.access import is_sysadmin
from zizhu.audit.services import audit_record


class SysadminAdminMixin:
    def _is_sysadmin(self, request) -> bool:
        return request.user.is_active and is_sysadmin(request.user)

    def has_module_permission(self, request):
        return self._is_sysadmin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_sysadmin(request)

    def has_add_permission(self, request):
        return self._is_sysadmin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_sysadmin(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_sysadmin(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = f"admin.{'change' if change else 'add'}"
        changed = sorted(form.changed_data) if form is not None else []
        audit_record(request=request, action=action, obj=obj, detail={"fields": changed})

    def delete_model(self, request, obj):
        audit_record(request=request, action="admin.delete", obj=obj, detail={"repr": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(request=request, action="admin.delete", obj=obj, detail={"repr": str(obj)})
        super().delete_queryset(request, queryset)
