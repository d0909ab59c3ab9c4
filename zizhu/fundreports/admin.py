from django.contrib import admin

from zizhu.audit.admin_mixins import SysadminAdminMixin
from zizhu.fundreports.models import CostSharingTier, ProvinceSplit, ProvinceTier


@admin.register(CostSharingTier)
class CostSharingTierAdmin(SysadminAdminMixin, admin.ModelAdmin):
    list_display = ("number", "central_share", "note")


@admin.register(ProvinceTier)
class ProvinceTierAdmin(SysadminAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "tier")
    list_filter = ("tier",)
    search_fields = ("code", "name")


@admin.register(ProvinceSplit)
class ProvinceSplitAdmin(SysadminAdminMixin, admin.ModelAdmin):
    list_display = ("code", "prefecture_share", "county_share", "province_share", "note")
    search_fields = ("code",)
