"""The form renderer writes a plain select as Django's templates write it: every kind of
select the product has (choices of text, numbers and lazy labels, a chosen value, several,
attributes true, false and valued, text to escape) reads the same either way; option
groups go through the templates."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from zizhu.anomalies.forms import FilterForm
from zizhu.web import forms as forms_module
from zizhu.web.forms import FormRenderer, select_html


class Everything(forms.Form):
    month = forms.ChoiceField(choices=[("2024-10", "2024-10"), ("2024-09", "2024-09")])
    year = forms.TypedChoiceField(choices=[(2025, 2025), (2024, 2024)], coerce=int)
    risk = forms.ChoiceField(
        required=False, choices=[("", gettext_lazy("All")), ("high", gettext_lazy("High"))]
    )
    name = forms.ChoiceField(choices=[('a"<&>', 'Tom & "Jerry" <b>'), ("b", mark_safe("<i>b</i>"))])
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two"), (3, "three")])
    flag = forms.NullBooleanField()
    plain = forms.ChoiceField(
        choices=[("x", "x")],
        widget=forms.Select(attrs={"data-autosubmit": True, "hidden": False, "title": 'a"b'}),
    )
    disabled = forms.ChoiceField(choices=[("x", "x")], disabled=True)


DATA = {"month": "2024-09", "year": "2024", "name": 'a"<&>', "many": ["1", "3"], "flag": "true"}


@pytest.mark.parametrize("data", [DATA, {}, None])
def test_every_select_reads_as_the_templates_wrote_it(data, monkeypatch):
    written = []
    monkeypatch.setattr(forms_module, "select_html", lambda w: written.append(w) or select_html(w))
    with override("zh-hans"):
        fast = Everything(data, renderer=FormRenderer())
        slow = Everything(data, renderer=DjangoTemplates())
        for name in Everything.base_fields:
            assert str(fast[name]) == str(slow[name]), name
    assert len(written) == len(Everything.base_fields)  # every one written here
    assert "Tom &amp; &quot;Jerry&quot; &lt;b&gt;" in str(fast["name"])


def test_the_findings_filters_read_as_the_templates_wrote_them(db):
    with override("zh-hans"):
        for renderer in (FormRenderer(), DjangoTemplates()):
            form = FilterForm({"rule": "3"}, programme="tuition_waiver", months=["2024-10"])
            form.renderer = renderer
            html = "".join(str(field) for field in form)
            if isinstance(renderer, FormRenderer):
                fast = html
    assert fast == html and "<option" in fast and 'value="3" selected' in fast


def test_option_groups_go_through_the_templates():
    widget = forms.Select(choices=[("Group", [("a", "A")]), ("b", "B")])
    context = widget.get_context("g", "a", None)["widget"]
    assert select_html(context) is None
    html = widget.render("g", "a", renderer=FormRenderer())
    assert html == widget.render("g", "a", renderer=DjangoTemplates()) and "<optgroup" in html


class Inputs(forms.Form):
    """A field of every input widget, labels with and without suffix, help texts, hidden
    fields, initial values to escape."""

    required_css_class = "required"
    error_css_class = "error"

    text = forms.CharField(label='名字 <"&>', help_text="至多 <b>50</b> 字", initial='a"<&>')
    number = forms.DecimalField(label="金额", max_digits=12, decimal_places=2)
    integer = forms.IntegerField(label="人数?", required=False, initial=1234567)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    moment = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    flag = forms.BooleanField(required=False, initial=True)
    file = forms.FileField(  # a plain file input (the clearable one has a template of its own)
        widget=forms.FileInput,
        required=False,
        help_text=gettext_lazy("PDF, JPG or PNG, at most 10 MB."),
    )
    url = forms.URLField(
        required=False, disabled=True, initial="https://example.com/?a=1&b=2", assume_scheme="https"
    )
    unlabelled = forms.CharField(label="", required=False)
    choice = forms.ChoiceField(choices=[("x", "甲"), ("y", "乙")])
    key = forms.CharField(widget=forms.HiddenInput, initial="k<1>")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError('整张表 <有> "错误"')


class OnlyHidden(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, initial="k")


INPUTS_DATA = {"text": "<script>", "number": "12.3x", "moment": "2025-01-01 08:00", "key": "k"}


@pytest.mark.parametrize(
    "make",
    [
        lambda r: Inputs(renderer=r),
        lambda r: Inputs(INPUTS_DATA, renderer=r),  # field, form and hidden fields' errors
        lambda r: Inputs(INPUTS_DATA, auto_id=False, renderer=r),  # no ids: labels untagged
        lambda r: Inputs(INPUTS_DATA, label_suffix="：", prefix="p", renderer=r),
        lambda r: OnlyHidden(renderer=r),
        lambda r: OnlyHidden({}, renderer=r),  # errors and no visible field
        lambda r: Everything(DATA, renderer=r),
    ],
)
def test_every_form_reads_as_the_templates_wrote_it(make, monkeypatch):
    fetched = []  # the templates the fast renderer still reads
    get_template = FormRenderer.get_template
    monkeypatch.setattr(
        FormRenderer,
        "get_template",
        lambda self, name: fetched.append(name) or get_template(self, name),
    )
    with override("zh-hans"):
        fast, slow = make(FormRenderer()), make(DjangoTemplates())
        html = str(fast.as_p())
        assert html == str(slow.as_p())
        for name in fast.fields:
            assert str(fast[name]) == str(slow[name]), name
            assert fast[name].label_tag() == slow[name].label_tag(), name
        assert str(fast.non_field_errors()) == str(slow.non_field_errors())
    assert html
    # written here, every one of them: only the lists of errors that hold some are read
    assert set(fetched) <= forms_module.ERRORS
