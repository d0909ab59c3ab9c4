from django import forms
from django.utils.translation import gettext_lazy as _

from zizhu.anomalies.models import MONTH_REGEX, Decision, Engine, FindingStatus, Risk, Verdict
from zizhu.anomalies.selectors import Filters, programme_rules


class FilterForm(forms.Form):
    """The filters of 异常信息查看; an invalid value is ignored rather than an error."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    risk = forms.ChoiceField(
        label=_("Risk"), required=False, choices=[("", _("All")), *Risk.choices]
    )
    rule = forms.TypedChoiceField(label=_("Rule"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *FindingStatus.choices]
    )

    def __init__(self, data, *, programme: str, months: list[str]):
        super().__init__(data)
        self.fields["month"].choices = [(m, m) for m in months]
        self.fields["rule"].choices = [("", _("All"))] + [
            (rule.number, f"{rule.number} {rule.name_zh}") for rule in programme_rules(programme)
        ]
        self.default_month = months[0] if months else ""

    def filters(self) -> Filters:
        self.is_valid()
        clean = {name: self.cleaned_data.get(name) for name in self.fields}
        return Filters(
            month=clean["month"] or self.default_month,
            risk=clean["risk"] or "",
            rule=clean["rule"],
            status=clean["status"] or "",
        )


class ExplanationForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(
        label=_("Attachment"), required=False, help_text=_("PDF, JPG or PNG, at most 10 MB.")
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Review"), choices=Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Review comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.REJECTED and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the explanation is rejected."))
        return data


class RunForm(forms.Form):
    month = forms.RegexField(
        label=_("Month"),
        regex=MONTH_REGEX,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "2025-10", "size": 8}),
        error_messages={"invalid": _("Enter the month as YYYY-MM.")},
    )
    engine = forms.ChoiceField(label=_("Engine"), choices=Engine.choices, initial=Engine.DUCKDB)
