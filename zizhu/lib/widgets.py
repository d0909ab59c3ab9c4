"""Form widgets the browser's own date pickers can fill.

An `<input type="date">` shows a value only in ISO form (`2026-03-01`); rendered in the
locale's format (`2026/03/01`) it looks empty, and saving the form again would clear the
stored date. These widgets always render ISO, whatever the active language.
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
