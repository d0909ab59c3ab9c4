"""The model choice fields of zizhu.lib.widgets give Django's options, read with one plain
query: no server-side cursor on PostgreSQL, and the field's own queryset left unevaluated."""

import re
from pathlib import Path

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zizhu.lib.widgets import CHOOSE, ModelChoiceField, ModelMultipleChoiceField
from zizhu.units.models import Unit


class Ours(forms.Form):
    one = ModelChoiceField(queryset=Unit.objects.order_by("code"), to_field_name="code")
    many = ModelMultipleChoiceField(queryset=Unit.objects.order_by("code"), required=False)


class Djangos(forms.Form):
    # with our empty option's label: the rest of the options must be Django's
    one = forms.ModelChoiceField(
        queryset=Unit.objects.order_by("code"), to_field_name="code", empty_label=CHOOSE
    )
    many = forms.ModelMultipleChoiceField(queryset=Unit.objects.order_by("code"), required=False)


@pytest.mark.parametrize("name", ["one", "many"])
def test_the_options_are_djangos(tree, name):
    data = {"one": "610112", "many": [str(Unit.objects.get(code="610000").pk)]}
    ours, djangos = Ours(data)[name], Djangos(data)[name]
    assert len(list(ours.field.choices)) == Unit.objects.count() + (name == "one")
    assert str(ours) == str(djangos)
    assert "610112" in str(ours)


def test_the_empty_option_asks_in_chinese(tree):
    html = str(Ours()["one"])
    assert '<option value="" selected>请选择</option>' in html and "---------" not in html


@pytest.mark.parametrize("name", ["one", "many"])
def test_one_plain_query_and_the_fields_queryset_unevaluated(tree, name):
    form = Ours()
    with CaptureQueriesContext(connection) as queries:
        str(form[name])
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
    assert form.fields[name].queryset._result_cache is None
    assert Ours({"one": "610112"}).is_valid(), "the chosen option is still looked up"


def test_djangos_own_field_opens_a_cursor_on_postgresql(tree):
    """What the fields above save: Django's field reads its options through a server-side
    cursor on PostgreSQL (on SQLite there is none to save)."""
    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors are PostgreSQL's (run with DATABASE_URL=postgres://…)")
    with CaptureQueriesContext(connection) as queries:
        str(Djangos()["one"])
    assert any(q["sql"].startswith("DECLARE") for q in queries.captured_queries)


def test_every_form_of_the_product_uses_these_fields():
    """A form written with Django's own model choice field would read its options through a
    cursor again: every form module of the product names the fields of zizhu.lib.widgets."""
    root = Path(__file__).resolve().parents[2] / "zizhu"
    djangos = re.compile(  # used as forms.X, or imported from django.forms under its name
        r"\bforms\.Model(Multiple)?ChoiceField\("
        r"|^\s*from django\.forms(\.models)? import .*\bModel(Multiple)?ChoiceField\b"
    )
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if path.name != "widgets.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if djangos.search(line)
    ]
    assert found == []
