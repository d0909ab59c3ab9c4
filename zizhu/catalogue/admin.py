from django.contrib import admin

from zizhu.audit.admin_mixins import SysadminAdminMixin
from zizhu.catalogue.models import AidProject


@admin.register(AidProject)
class AidProjectAdmin(SysadminAdminMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "stage",
        "category",
        "standard_amount",
        "jointly_funded",
        "province",
        "source",
        "is_active",
    )
    list_filter = ("category", "stage", "jointly_funded", "is_active")
    search_fields = ("code", "name", "source")
    raw_id_fields = ("province",)
