"""The funds services refuse in the user's language: English message ids, the Chinese of the
catalogue (ADR 0004). Each Chinese text is the one the services wrote before they used
gettext; the English shows the services do not carry Chinese literals."""

from decimal import Decimal

import pytest
from django.utils import translation

from tests.refusals import in_chinese, refusal  # noqa: F401 - in_chinese is a fixture
from zizhu.funds.services import filing_create, filing_submit
from zizhu.lib.money import money

pytestmark = pytest.mark.usefixtures("in_chinese")


@pytest.mark.parametrize(
    ("value", "chinese", "english"),
    [
        (1.5, "本级资金必须是精确的十进制金额", "Own funds must be an exact decimal amount"),
        ("abc", "本级资金不是有效的金额：abc", "Own funds is not a valid amount: abc"),
        ("NaN", "本级资金不是有效的金额：NaN", "Own funds is not a valid amount: NaN"),
        (
            "1.234",
            "本级资金最多保留两位小数：1.234",
            "Own funds has at most two decimal places: 1.234",
        ),
        ("-1", "本级资金不能为负数", "Own funds cannot be negative"),
        ("1e13", "本级资金超出允许的范围", "Own funds is out of the allowed range"),
    ],
)
def test_money_names_the_field_and_the_value(value, chinese, english):
    assert refusal(money, value, "本级资金") == chinese
    with translation.override("en"):
        assert refusal(money, value, "Own funds") == english


def test_a_positive_amount_is_asked_for_in_both_languages():
    assert refusal(money, Decimal("0"), "中央资金", positive=True) == "中央资金必须大于零"
    with translation.override("en"):
        assert refusal(money, "0", "Central funds", positive=True) == (
            "Central funds must be greater than zero"
        )


def test_an_invalid_year_is_named(tree, grant):
    create = {"unit": tree["610000"], "project": grant, "actor": None}
    assert refusal(filing_create, year=1999, **create) == "使用年度无效：1999"
    with translation.override("en"):
        assert refusal(filing_create, year=1999, **create) == "Invalid year of use: 1999"


def test_the_missing_fields_are_listed_with_the_languages_separator(tree, grant):
    filing = filing_create(unit=tree["610000"], year=2025, project=grant, actor=None)
    assert refusal(filing_submit, filing=filing, actor=None) == (
        "请先填写：本级文号、发文日期、发文标题、正文附件（PDF）"
    )
    with translation.override("en"):
        assert refusal(filing_submit, filing=filing, actor=None) == (
            "Fill in first: Document number, Document date, Document title, Document body (PDF)"
        )


def test_a_field_of_another_kind_of_filing_is_named_by_its_label(tree, grant):
    create = {"unit": tree["610000"], "year": 2025, "project": grant, "actor": None}
    assert refusal(filing_create, school_funds=Decimal("1.00"), **create) == (
        "此类填报没有“学校资金”一项"
    )
    with translation.override("en"):
        assert refusal(filing_create, school_funds=Decimal("1.00"), **create) == (
            "This kind of filing has no “School funds”"
        )
