"""What every admin page of the project shares: the system administrator's role decides, not
Django's per-model permissions, and every write is audited like a service write, with the
before and after values of each changed field (never a password)."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from zizhu.access import is_sysadmin
from zizhu.audit.services import audit_record

# Form fields whose values never reach the audit trail.
SECRET_FIELDS = frozenset(
    {"password", "password1", "password2", "usable_password", "set_usable_password"}
)


def plain(value):
    """A JSON-safe, readable form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return f"{value.pk} {value}"
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(str(plain(v)) for v in value)
    return str(value)


def _field_value(obj, name: str):
    try:
        obj._meta.get_field(name)
    except FieldDoesNotExist:  # a form-only field
        return None
    return getattr(obj, name, None)


def field_changes(before, after, names) -> dict[str, list]:
    """{field: [before, after]} of the named fields, secrets left out."""
    changes = {}
    for name in sorted(names):
        if name in SECRET_FIELDS:
            continue
        old = plain(_field_value(before, name)) if before is not None else None
        new = plain(_field_value(after, name))
        if old != new:
            changes[name] = [old, new]
    return changes


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

    def save_object(self, request, obj, form, change) -> None:
        """The write itself; an admin whose writes go through a service overrides this."""
        super().save_model(request, obj, form, change)

    def save_model(self, request, obj, form, change):
        model = type(obj)
        before = model._default_manager.filter(pk=obj.pk).first() if change else None
        self.save_object(request, obj, form, change)
        names = set(form.changed_data if form is not None else [])
        if not change:
            names |= set(form.fields) if form is not None else set()
        names |= getattr(obj, "_admin_forced_fields", set())
        audit_record(
            request=request,
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            detail={"repr": str(obj)[:200], "changes": field_changes(before, obj, names)},
        )

    def delete_model(self, request, obj):
        audit_record(request=request, action="admin.delete", obj=obj, detail={"repr": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(request=request, action="admin.delete", obj=obj, detail={"repr": str(obj)})
        super().delete_queryset(request, queryset)
