from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zizhu.audit.admin_mixins import SysadminAdminMixin
from zizhu.units.models import Unit
from zizhu.units.services import UnitRow, units_import, units_validate


def _row(unit: Unit) -> UnitRow:
    return UnitRow(
        code=unit.code,
        name=unit.name,
        level=unit.level,
        parent_code=unit.parent.code if unit.parent_id else "",
        stage=unit.stage,
        ownership=unit.ownership,
        kind=unit.kind,
    )


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ("code", "name", "level", "parent", "stage", "ownership", "kind", "is_active")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            candidate = Unit(**{k: v for k, v in cleaned.items() if k != "is_active"})
            problems = units_validate([_row(candidate)])
            for problem in problems:
                self.add_error(
                    problem.column if problem.column in self.fields else None, problem.message
                )
        return cleaned


@admin.register(Unit)
class UnitAdmin(SysadminAdminMixin, admin.ModelAdmin):
    form = UnitForm
    list_display = ("code", "name", "level", "stage", "ownership", "parent", "is_active")
    list_filter = ("level", "stage", "ownership", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("tree_path", "tree_depth")
    list_select_related = ("parent",)

    # the tree's own fields (django-treebeard's), shown under labels of ours: its have none
    @admin.display(description=_("Path in the tree"))
    def tree_path(self, unit: Unit) -> str:
        return unit.path

    @admin.display(description=_("Depth in the tree"))
    def tree_depth(self, unit: Unit) -> int | str:
        return "" if unit.depth is None else unit.depth  # a unit not yet saved has none

    def save_object(self, request, obj, form, change):
        """Through the import service, which keeps the paths of the subtree right; the mixin's
        save_model around it records the change with before and after."""
        units_import(rows=[_row(obj)], actor=request.user, request=request)
        saved = Unit.objects.get(code=obj.code)
        if obj.is_active != saved.is_active:
            Unit.objects.filter(pk=saved.pk).update(is_active=obj.is_active)
        obj.pk, obj.path, obj.depth = saved.pk, saved.path, saved.depth
