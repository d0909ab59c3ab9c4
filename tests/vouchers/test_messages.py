"""The voucher services refuse in the user's language (English message ids, the Chinese of
the catalogue, ADR 0004); the Chinese is the text they wrote before they used gettext."""

import pytest
from django.utils import translation

from tests.refusals import in_chinese, refusal  # noqa: F401 - in_chinese is a fixture
from tests.vouchers.files import pdf, upload
from tests.vouchers.test_services import create
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create
from zizhu.vouchers.services import voucher_delete

pytestmark = pytest.mark.usefixtures("in_chinese")


@pytest.mark.parametrize(
    ("overrides", "chinese", "english"),
    [
        ({"year": 1999}, "使用年度无效：1999", "Invalid year of use: 1999"),
        (
            {"students": 0},
            "资助学生人数必须是正整数",
            "The number of aided students must be a positive whole number",
        ),
        (
            {"amount": "1.234"},
            "资助金额最多保留两位小数：1.234",
            "Aid amount has at most two decimal places: 1.234",
        ),
        ({"files": []}, "请至少上传一个凭证文件", "Upload at least one voucher file"),
        (
            {"files": [upload(f"{n}.pdf", pdf()) for n in range(11)]},
            "每张凭证最多上传 10 个文件",
            "A voucher has at most 10 files",
        ),
    ],
)
def test_a_refused_voucher_says_why(users, grant, overrides, chinese, english):
    operator = users["school_operator"]
    assert refusal(create, operator, grant, **overrides) == chinese
    with translation.override("en"):
        assert refusal(create, operator, grant, **overrides) == english


def locked_filing(school, grant) -> None:
    filing = filing_create(unit=school, year=2025, project=grant, actor=None)
    Filing.objects.filter(pk=filing.pk).update(status="locked")


def test_a_locked_filing_freezes_its_vouchers_saying_what_was_refused(users, grant):
    operator = users["school_operator"]
    voucher = create(operator, grant)
    locked_filing(operator.unit, grant)
    locked = "2025 年度“中职国家助学金”的资金填报已过截止时间并已锁定，需由上级单位解锁后才能"
    assert refusal(create, operator, grant) == locked + "上传支付凭证"
    assert refusal(voucher_delete, voucher=voucher, actor=operator) == locked + "删除支付凭证"
    with translation.override("en"):
        assert refusal(create, operator, grant) == (
            "The funds filing of 中职国家助学金 for 2025 is past its deadline and locked; "
            "the level above must unlock it before a payment voucher can be uploaded"
        )


def test_a_refused_file_is_named_with_its_number(users, grant):
    files = [upload("凭证.pdf", pdf()), upload("drawing.svg", b"<svg/>")]
    message = refusal(create, users["school_operator"], grant, files=files)
    assert message.startswith("第 2 个文件“drawing.svg”未通过检查：")
    with translation.override("en"):
        message = refusal(create, users["school_operator"], grant, files=files)
    assert message.startswith("File 2 “drawing.svg” did not pass the check: ")
