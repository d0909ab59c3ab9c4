"""One format for amounts and percentages: the `yuan`, `percent` and `cell` filters."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from zizhu.lib.formats import cell, percent, yuan


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_amounts_have_separators_two_decimals_and_the_unit():
    assert yuan(Decimal("345726800")) == "345,726,800.00 元"
    assert yuan(Decimal("-1234.5")) == "-1,234.50 元"
    assert yuan(0) == "0.00 元"
    assert yuan(None) == "—" and yuan("x") == "—"


def test_percentages_and_report_cells():
    assert percent(Decimal("87.456")) == "87.5%" and percent(None) == "—"
    assert cell(Decimal("1200.5")) == "1,200.50 元"
    assert cell(Decimal("12.5"), is_percent=True) == "12.5%"
    assert cell(12000) == "12,000" and cell(date(2025, 3, 1)) == "2025-03-01"
    assert cell("未央区") == "未央区" and cell(None) == "—"


def test_every_template_has_the_filters_without_loading_them():
    rendered = Template("{{ a|yuan }} {{ p|percent }}").render(
        Context({"a": Decimal("345726800.00"), "p": 50})
    )
    assert rendered == "345,726,800.00 元 50.0%"


CELLS = [
    Decimal("345726800"),
    Decimal("-1234.5"),
    Decimal("0.00"),
    Decimal("0"),
    Decimal("12.345"),
    Decimal("87.456"),
    Decimal("1E+3"),
    Decimal("-0.005"),
    0,
    12000,
    True,
    None,
    "",
    "未央区<&>",
    date(2025, 3, 1),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_formatter_writes_every_cell_as_cell_does(language):
    """`cell_formatter` (the report rows' formatter) against `cell` itself, cell by cell."""
    from zizhu.lib.formats import cell_formatter

    with translation.override(language):
        shown = cell_formatter()
        for value in CELLS:
            for is_percent in (False, True):
                assert shown(value, is_percent) == cell(value, is_percent), (value, is_percent)
        assert shown(Decimal("5")) != shown(Decimal("5"), True)


def test_a_cell_is_escaped_as_conditional_escape_does():
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from zizhu.fundreports.tree import escape_cell

    for value in ["名<&\">'", "1,200.50 元", "—", mark_safe("<b>x</b>"), gettext_lazy("Total"), 7]:
        assert escape_cell(value) == conditional_escape(value), value
