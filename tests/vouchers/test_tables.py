"""The rows of 支付凭证查看 built in Python (zizhu.vouchers.tables) read as the page's template
wrote them, loop by loop: the old loops are kept here and rendered with the page's context."""

import pytest
from django.template import engines
from django.utils import translation

from tests.conftest import login_as
from tests.vouchers.test_pages import ROWS, VIEW, add_voucher
from zizhu.units.models import Unit
from zizhu.vouchers.models import Voucher, VoucherFile

# the loops of the authorities' voucher page (fundreports/vouchers.html) before the rows were
# built in Python
OLD = {
    "children_html": """{% for row in children %}
      <tr><td>{{ row.unit.code }}</td><td><a href="?{% if unit_query %}{{ unit_query }}&amp;{% endif %}unit={{ row.unit.code }}">{{ row.unit.name }}</a></td><td>{{ row.unit.get_level_display }}</td><td class="num">{{ row.count }}</td><td class="num">{{ row.students }}</td><td class="num">{{ row.amount|yuan }}</td></tr>
    {% endfor %}""",  # noqa: E501 - the old template's lines, kept as they were
    "schools_html": """{% for row in schools %}{% if forloop.counter > school_rows %}
      <tr><td colspan="5" class="hint" data-testid="more-schools">{% blocktranslate with n=school_rows %}Only the first {{ n }} schools are shown: choose a subordinate unit or filter by school code.{% endblocktranslate %}</td></tr>
    {% else %}
      <tr><td>{{ row.unit__code }}</td><td><a href="?{% if unit_query %}{{ unit_query }}&amp;{% endif %}unit={{ row.unit__code }}">{{ row.unit__name }}</a></td><td class="num">{{ row.count }}</td><td class="num">{{ row.students_total }}</td><td class="num">{{ row.amount_total|yuan }}</td></tr>
    {% endif %}{% empty %}
      <tr><td colspan="5" class="empty">{% translate "No vouchers." %}</td></tr>
    {% endfor %}""",  # noqa: E501
    "vouchers_html": """{% for voucher in page %}
      <tr>
        <td>{{ voucher.unit.name }}</td><td>{{ voucher.year }}</td><td>{{ voucher.project.name }}</td>
        <td class="num">{{ voucher.students }}</td><td class="num">{{ voucher.amount|yuan }}</td>
        <td>{{ voucher.note }}</td><td>{% include "vouchers/_files.html" %}</td><td>{{ voucher.created_at|date:"Y-m-d H:i" }}</td>
      </tr>
    {% empty %}
      <tr><td colspan="8" class="empty">{% translate "No vouchers." %}</td></tr>
    {% endfor %}""",  # noqa: E501
}


def old_rows(context, name: str, school_rows: int) -> str:
    template = engines["django"].from_string("{% load i18n %}" + OLD[name])
    keys = ("children", "schools", "page", "unit_query")
    with translation.override("zh-hans"):
        return template.render({**{k: context[k] for k in keys}, "school_rows": school_rows})


@pytest.fixture
def hostile(tree, grant):
    """The vouchers of ROWS; names and a note to escape, a voucher of three files (one large)
    and one without."""
    for row in ROWS:
        add_voucher(*row, grant)
    Unit.objects.filter(code__in=["610112", "3661000001"]).update(name='名<&">')
    voucher = add_voucher("3661000002", 2023, 1234, "1234567.89", grant)
    Voucher.objects.filter(pk=voucher.pk).update(note='<b>"备注"</b> & 1%')
    for name, size in (("a&b.png", 2_500_000), ("<c>.pdf", 1)):
        VoucherFile.objects.create(
            voucher=voucher,
            file="vouchers/z.png",
            name=name,
            content_type="image/png",
            size=size,
            sha256="2" * 64,
        )
    bare = add_voucher("3661000003", 2023, 1, "0.01", grant)
    bare.files.all().delete()


@pytest.mark.parametrize(
    ("params", "school_rows"),
    [
        ({}, 300),
        ({}, 2),  # the per-school table stops, and says so
        ({"unit": "610112", "year": "2025"}, 300),  # schools as children, a query to keep
        ({"unit": "3661000001"}, 300),  # a school: no children
        ({"year": "1999"}, 300),  # nothing: the empty rows
    ],
)
def test_the_rows_are_what_the_template_wrote(
    client, users, hostile, monkeypatch, params, school_rows
):
    from zizhu.fundreports import vouchers_views as views

    monkeypatch.setattr(views, "SCHOOL_ROWS", school_rows)
    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    login_as(client, users["prefecture_operator"])
    response = client.get(VIEW, params)
    context, html = response.context, response.content.decode()
    for name in OLD:
        expected = old_rows(context, name, school_rows)
        assert str(context[name]) == expected, name
        if context["children"] or name != "children_html":  # no children: no table
            assert f"<tbody>\n    {expected}\n    </tbody>" in html, name
    if params == {}:
        assert "名&lt;&amp;&quot;&gt;" in html and "&lt;b&gt;&quot;备注&quot;" in html
        assert "2.4\xa0MB" in html and "1,234,567.89 元" in html
    if school_rows == 2:
        assert 'data-testid="more-schools"' in html
