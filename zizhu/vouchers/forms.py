from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from zizhu.catalogue.models import AidProject, Category
from zizhu.lib.onetime import OneTimeKeyForm
from zizhu.lib.uploads import ATTACHMENT_MAX_BYTES
from zizhu.lib.widgets import ModelChoiceField, ModelMultipleChoiceField
from zizhu.vouchers.models import Voucher, VoucherFile


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from one <input type=file multiple>; the service checks their content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple) and data:
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        if isinstance(data, list | tuple):
            data = None
        return [super().clean(data, initial)] if data or self.required else []


def current_year() -> int:
    return date.today().year  # noqa: DTZ011 - a calendar default for a form


class VoucherForm(OneTimeKeyForm):
    year = forms.IntegerField(label=_("Year of use"), min_value=2000, max_value=2100)
    project = ModelChoiceField(
        label=_("Aid project"), queryset=AidProject.objects.none(), to_field_name="code"
    )
    students = forms.IntegerField(
        label=_("Number of students aided"), min_value=1, max_value=9_999_999
    )
    # a string: the service refuses more than two decimal places rather than rounding
    amount = forms.CharField(label=_("Aid amount (yuan)"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    files = MultipleFileField(
        label=_("Files (PDF, JPG, JPEG or PNG)"),
        help_text=_("One or more files, each at most %(mb)d MB.")
        % {"mb": ATTACHMENT_MAX_BYTES >> 20},
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["year"].initial = current_year()


class VoucherEditForm(forms.Form):
    """The editable part of a voucher: students, amount, note, files to add and to remove;
    `version` is the voucher's version when the form was read (a stale save is refused)."""

    students = forms.IntegerField(
        label=_("Number of students aided"), min_value=1, max_value=9_999_999
    )
    amount = forms.CharField(label=_("Aid amount (yuan)"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    remove = ModelMultipleChoiceField(
        label=_("Remove files"),
        queryset=VoucherFile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    files = MultipleFileField(
        label=_("Add files (PDF, JPG, JPEG or PNG)"),
        help_text=_("One or more files, each at most %(mb)d MB.")
        % {"mb": ATTACHMENT_MAX_BYTES >> 20},
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, voucher: Voucher, **kwargs):
        initial = {
            "students": voucher.students,
            "amount": voucher.amount,
            "note": voucher.note,
            "version": voucher.version,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["remove"].queryset = voucher.files.order_by("pk")
        self.fields["remove"].label_from_instance = lambda record: record.name


SCHOOL_CHOICES = 500


class FilterForm(forms.Form):
    """Year, project and school filters of the voucher lists; bad values are ignored."""

    year = forms.IntegerField(label=_("Year of use"), required=False, min_value=2000)
    project = ModelChoiceField(
        label=_("Aid project"),
        queryset=AidProject.objects.filter(category=Category.NATIONAL),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args, projects=None, with_school=False, schools=None, **kwargs):
        """`schools`: (code, name) pairs to choose from; a free code field when there are
        more than SCHOOL_CHOICES of them (or none were given)."""
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects
        if with_school and schools is not None and len(schools) <= SCHOOL_CHOICES:
            self.fields["school"] = forms.ChoiceField(
                label=_("School"),
                required=False,
                choices=[("", _("All")), *((code, name) for code, name in schools)],
            )
        elif with_school:
            self.fields["school"] = forms.CharField(
                label=_("School code"), required=False, max_length=10
            )

    def filters(self) -> dict:
        self.is_valid()  # cleaned_data keeps the fields that are valid
        data = self.cleaned_data
        return {
            "year": data.get("year"),
            "project": data.get("project"),
            "school": (data.get("school") or "").strip(),
        }
