"""A register import's problems are written in the language of whoever started it, also those
found by the checking thread (a thread does not inherit the active language)."""

import re

import pytest
from django.utils import translation

from tests.registers.conftest import MONTH, good_rows, write_file
from zizhu.registers.services import RegisterRejected, register_import

HAN = re.compile(r"[\u4e00-\u9fff]")
CHINESE = {
    (2, "id_number"): "身份证件号应为18位",
    (3, "graduation_year"): "毕业年份应为四位数字年份",
    (4, "name"): "姓名过长（不超过50个字符）",
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_checking_thread_speaks_the_importers_language(db, store, files, language):
    rows = good_rows("graduates")
    rows[0]["id_number"] = "123"
    rows[1]["graduation_year"] = "24"
    rows[2]["name"] = "长" * 51
    path = write_file(files, "graduates", rows)
    with translation.override(language), pytest.raises(RegisterRejected) as caught:
        register_import(kind="graduates_senior_high", month=MONTH, path=path)
    found = {(p.row, p.column): p.message for p in caught.value.problems}
    assert set(found) == set(CHINESE)
    if language == "zh-hans":
        assert found == CHINESE
    else:
        assert [m for m in found.values() if HAN.search(m)] == []
