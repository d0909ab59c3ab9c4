from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.accounts.models import User
from zizhu.audit.admin_mixins import SysadminAdminMixin
from zizhu.audit.services import audit_record
from zizhu.lib.params import int_param

# Security data belongs to the security administrator's pages, not to the system admin.
for model in (AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class TemporaryPasswordForm(AdminPasswordChangeForm):
    """A password an administrator sets is a temporary one: its owner must replace it at the
    next sign-in (the password form then refuses the same password again)."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(SysadminAdminMixin, BaseUserAdmin):
    change_password_form = TemporaryPasswordForm
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
    # Only the owner clears the pending change, by choosing a password of their own.
    readonly_fields = ("last_login", "must_change_password")

    def save_object(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the initial password is changed on first login
            obj._admin_forced_fields = {"must_change_password"}
        super().save_object(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        fields = ("password", "must_change_password")
        pk = int_param(id)
        before = User.objects.filter(pk=pk).values(*fields).first() if pk else None
        response = super().user_change_password(request, id, form_url)
        if before is not None and request.method == "POST":
            user = User.objects.filter(pk=pk).first()
            if user is not None and user.password != before["password"]:  # a new salted hash
                audit_record(
                    request=request,
                    action="admin.password_set",
                    obj=user,
                    detail={
                        "repr": user.username,
                        "changes": {
                            "must_change_password": [
                                before["must_change_password"],
                                user.must_change_password,
                            ],
                            "usable_password": [None, user.has_usable_password()],
                        },
                    },
                )
        return response
