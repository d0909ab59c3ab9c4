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
