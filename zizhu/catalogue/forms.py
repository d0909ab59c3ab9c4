"""Forms of the local-project page: validation only; the services decide and write; and the
project field other apps' forms offer projects with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zizhu.catalogue.models import PROJECT_STAGES, told_apart
from zizhu.lib.widgets import ModelChoiceField, OptionsIterator


class ProjectOptions(OptionsIterator):
    """Each project as `told_apart` calls it among the options: 校内困难补助 of every stage,
    offered to an authority, with its stage."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        projects = list(self.queryset.all())
        labels = told_apart(projects)
        for project in projects:
            value, _label = self.choice(project)
            yield value, labels[project.pk]


class ProjectChoiceField(ModelChoiceField):
    iterator = ProjectOptions


class LocalProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=100)
    standard_amount = forms.DecimalField(
        label=_("Standard amount (yuan per year)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=0,
    )
    source = forms.CharField(label=_("Policy source"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NewLocalProjectForm(LocalProjectForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=PROJECT_STAGES)
    field_order = ["name", "stage", "standard_amount", "source", "note"]
