"""Forms of the local-project page: validation only; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zizhu.catalogue.models import PROJECT_STAGES


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
