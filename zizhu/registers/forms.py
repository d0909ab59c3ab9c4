from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from zizhu.lib.periods import Month
from zizhu.registers.models import Kind
from zizhu.registers.reading import FORMATS

# Registers are large; the page only stores the file, a job reads it.
MAX_UPLOAD_BYTES = 2 * 1024**3


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Register"), choices=Kind.choices)
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    file = forms.FileField(label=_("File (CSV, XLSX or Parquet)"))

    def clean_month(self):
        try:
            return str(Month.parse(self.cleaned_data["month"]))
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in FORMATS:
            raise forms.ValidationError(_("Only CSV, XLSX and Parquet files can be uploaded."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 GB."))
        return upload
