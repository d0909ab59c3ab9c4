from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.accounts.models import User
from zizhu.audit.admin_mixins import SysadminAdminMixin

# Security data belongs to the security administrator's pages, not to the system admin.
for model in (AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class UserAdmin(SysadminAdminMixin, BaseUserAdmin):
    list_display = ("username", "first_name", "role", "unit", "is_active", "must_change_password")
    list_filter = ("role", "is_active", "must_change_password")
    search_fields = ("username", "first_name", "unit__code", "unit__name")
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Identity"), {"fields": ("first_name", "email", "role", "unit")}),
        (_("Status"), {"fields": ("is_active", "must_change_password", "last_login")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "role", "unit", "password1", "password2")}),
    )
    readonly_fields = ("last_login",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the initial password is changed on first login
        super().save_model(request, obj, form, change)
