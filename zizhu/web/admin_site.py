from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class ZizhuAdminSite(admin.AdminSite):
    """Django admin, for the system administrator only (users and units)."""

    site_header = _("Financial Aid System · Administration")
    site_title = _("System management")
    index_title = _("Users and units")

    def has_permission(self, request):
        from zizhu.access import is_sysadmin  # this module loads before the models

        user = request.user
        return bool(
            user.is_active and user.is_authenticated and is_sysadmin(user) and user.is_verified()
        )


class ZizhuAdminConfig(AdminConfig):
    default_site = "zizhu.web.admin_site.ZizhuAdminSite"
