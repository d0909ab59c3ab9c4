from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zizhu.catalogue.models import AidProject
from zizhu.catalogue.selectors import projects_for_unit
from zizhu.lib.widgets import ModelChoiceField
from zizhu.recipients.models import Term

# the same limits read_table applies (zizhu.lib.uploads.SPREADSHEET_LIMITS), checked before
# the upload is written to disk
MAX_UPLOAD_BYTES = {".csv": 50 * 1024 * 1024, ".xlsx": 20 * 1024 * 1024}


def current_school_year() -> int:
    today = date.today()  # noqa: DTZ011 - a calendar default for a form
    return today.year if today.month >= 9 else today.year - 1


class UploadForm(forms.Form):
    project = ModelChoiceField(
        label=_("Aid project"), queryset=AidProject.objects.none(), to_field_name="code"
    )
    year = forms.IntegerField(label=_("School year"), min_value=2000, max_value=2100)
    term = forms.ChoiceField(label=_("Term"), choices=Term.choices)
    batch = forms.IntegerField(label=_("Batch"), min_value=1, max_value=99, initial=1)
    file = forms.FileField(label=_("File (XLSX or CSV)"))

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for_unit(school)
        self.fields["year"].initial = current_school_year()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = "." + upload.name.lower().rsplit(".", 1)[-1]
        if suffix not in MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Only XLSX and CSV files can be uploaded."))
        if upload.size > MAX_UPLOAD_BYTES[suffix]:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES[suffix] >> 20}
            )
        return upload


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason for returning"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RowForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=19)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    amount = forms.CharField(label=_("Amount"), max_length=20)
    grade = forms.CharField(label=_("Grade"), max_length=20, required=False)
    major = forms.CharField(label=_("Major"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=30, required=False)
