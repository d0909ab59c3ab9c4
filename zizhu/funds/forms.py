"""Forms of the filing pages: validation only; the services decide and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.catalogue.forms import ProjectChoiceField
from zizhu.catalogue.models import AidProject, Category
from zizhu.catalogue.selectors import projects_for_unit
from zizhu.funds.models import MONEY, SourceLevel
from zizhu.funds.services import SCHOOL_FIELDS
from zizhu.lib.onetime import OneTimeKeyForm
from zizhu.lib.widgets import DateInput, DateTimeInput, ModelChoiceField
from zizhu.units.models import Unit

AMOUNT_LABELS = {
    "own_funds": _("Own funds"),
    "school_funds": _("School funds"),
    "other_funds": _("Other funds"),
    "social_funds": _("Social funds"),
    "received_funds": _("Received funds"),
}


def amount_field(label, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
    )


def projects_for(unit, category: str):
    """Projects a unit may file in a category: authorities national and local ones (their own
    province's local ones), schools those of their stage or of any stage
    (zizhu.catalogue.selectors)."""
    if unit.is_authority and category not in (Category.NATIONAL, Category.LOCAL):
        return AidProject.objects.none()
    return projects_for_unit(unit, category)


class NewFilingForm(forms.Form):
    year = forms.IntegerField(label=_("Year of use"), min_value=2000, max_value=2100)
    project = ModelChoiceField(label=_("Aid project"), queryset=AidProject.objects.none())

    def __init__(self, *args, unit, category: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for(unit, category)
        self.fields["year"].initial = timezone.localdate().year


class AuthorityFilingForm(forms.Form):
    """An authority's national or local filing: the document and its own funds."""

    doc_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    doc_date = forms.DateField(label=_("Document date"), required=False, widget=DateInput())
    doc_title = forms.CharField(label=_("Document title"), max_length=200, required=False)
    document = forms.FileField(
        label=_("Document body (PDF)"),
        required=False,
        help_text=_("PDF only, at most 10 MB; replaces the file already attached."),
    )
    own_funds = amount_field(AMOUNT_LABELS["own_funds"])
    version = forms.IntegerField(widget=forms.HiddenInput)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version")
        data.pop("document")
        data["own_funds"] = data["own_funds"] or 0
        return data


class SchoolFilingForm(forms.Form):
    """A school's school-aid or social-aid amounts (national and local have none to fill)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, category: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SCHOOL_FIELDS[category]:
            if name == "received_arrival_date":
                self.fields[name] = forms.DateField(
                    label=_("Arrival date of received funds"), required=False, widget=DateInput()
                )
            else:
                self.fields[name] = amount_field(AMOUNT_LABELS[name])
        self.order_fields([*SCHOOL_FIELDS[category], "version"])

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason for returning"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReceiptForm(OneTimeKeyForm):
    arrival_date = forms.DateField(label=_("Arrival date"), widget=DateInput())


def reason_field(label) -> forms.CharField:
    return forms.CharField(label=label, max_length=500)


class ReverseForm(OneTimeKeyForm):
    """冲销 of an allocation (direct before the receipt, a request to the receiver after)."""

    reason = reason_field(_("Reason for the reversal"))


class AgreeForm(OneTimeKeyForm):
    """The receiver's agreement to a requested reversal."""


class DeclineForm(forms.Form):
    note = reason_field(_("Reason for declining"))


class ReceiptCorrectionForm(OneTimeKeyForm):
    arrival_date = forms.DateField(label=_("Corrected arrival date"), widget=DateInput())
    reason = reason_field(_("Reason for the correction"))


class AllocationForm(OneTimeKeyForm):
    """An allocation to one direct child, with an amount for each level the sender has."""

    target = ModelChoiceField(
        label=_("Allocate to"), queryset=Unit.objects.none(), to_field_name="code"
    )

    def __init__(self, *args, targets, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        for level in levels:
            self.fields[level] = amount_field(SourceLevel(level).label)

    def amounts(self) -> dict:
        return {
            level: value
            for level, value in self.cleaned_data.items()
            if level in SourceLevel.values and value
        }


class DeadlineForm(forms.Form):
    year = forms.IntegerField(label=_("Year of use"), min_value=2000, max_value=2100)
    # an authority sets deadlines for every stage's projects: 校内困难补助 comes once a stage
    project = ProjectChoiceField(
        label=_("Aid project"), queryset=AidProject.objects.filter(is_active=True)
    )
    due_at = forms.DateTimeField(label=_("Deadline"), widget=DateTimeInput())

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        if unit is not None:  # other provinces' own local projects are not the unit's
            self.fields["project"].queryset = projects_for_unit(unit)


class UnlockForm(forms.Form):
    until = forms.DateTimeField(label=_("Unlocked until"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Reason for unlocking"), max_length=500)
