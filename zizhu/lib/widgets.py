"""Form widgets the browser's own date pickers can fill, and choice fields of model rows
whose options are read in one query.

An `<input type="date">` shows a value only in ISO form (`2026-03-01`); rendered in the
locale's format (`2026/03/01`) it looks empty, and saving the form again would clear the
stored date. These widgets always render ISO, whatever the active language.

Django's model choice fields read their options with `QuerySet.iterator()`, which on
PostgreSQL opens a server-side cursor: DECLARE, FETCH and CLOSE, three round trips and a
cursor's bookkeeping for the few options of a form (the projects of a school, the ~80 schools
of a county's allocation form). `ModelChoiceField` and `ModelMultipleChoiceField` here read
them with one plain query, as a list page reads its rows.
"""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import pgettext_lazy

CHOOSE = pgettext_lazy("empty option", "Choose…")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class OptionsIterator(ModelChoiceIterator):
    """The field's options as Django's iterator gives them, read with one plain query (a copy
    of the field's queryset: the field's own stays unevaluated)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    iterator = OptionsIterator

    def __init__(self, *args, empty_label=CHOOSE, **kwargs):
        # Django's own empty option reads "---------"; a person reads "请选择"
        super().__init__(*args, empty_label=empty_label, **kwargs)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = OptionsIterator
