"""The eight register kinds (docs/registers.md): the columns of their import files. Their
snapshots' columns in the analytics store are zizhu.store.schemas'."""

from zizhu.lib.tabular import Column
from zizhu.store.layout import REGISTER_KINDS
from zizhu.store.schemas import ENROLMENT, GRADUATES, RECIPIENTS

KINDS = REGISTER_KINDS
ACTIVE_STATUS = "在籍"


_COMMON = [
    Column("school_code", "学校标识码"),
    Column("id_number", "身份证件号"),
    Column("name", "姓名"),
]
FILE_COLUMNS: dict[str, list[Column]] = {
    ENROLMENT: [
        *_COMMON,
        Column("grade", "年级", required=False),
        Column("status", "学籍状态", required=False),
        Column("phone", "联系电话", required=False),
    ],
    RECIPIENTS: [
        *_COMMON,
        Column("project", "资助项目"),
        Column("amount", "资助金额", required=False),
    ],
    GRADUATES: [*_COMMON, Column("graduation_year", "毕业年份")],
}
