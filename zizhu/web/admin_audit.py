"""Admin writes are audited like service writes."""

from zizhu.audit.services import audit_record


class AuditedAdminMixin:
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
