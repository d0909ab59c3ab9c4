import io

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError

from zizhu.units.models import Level, Unit


def test_it_loads_one_province_of_divisions(db):
    call_command("load_divisions", province="610000", stdout=io.StringIO())
    assert Unit.objects.filter(level=Level.PREFECTURE).count() == 10
    assert Unit.objects.filter(level=Level.COUNTY).count() == 107


def test_it_loads_all_divisions(db):
    call_command("load_divisions", stdout=io.StringIO())
    assert Unit.objects.filter(level=Level.PROVINCE).count() == 34
    assert Unit.objects.exclude(level=Level.CENTRAL).count() == 3212


def test_it_imports_a_units_csv_with_chinese_headers(tree, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "代码,名称,级别,上级代码,学段,办学性质\n"
        "3461000001,未央一中,school,610112,senior_high,public\n",
        encoding="utf-8-sig",
    )
    call_command("import_units", str(path), stdout=io.StringIO())
    school = Unit.objects.get(code="3461000001")
    assert (school.stage, school.ownership, school.parent.code) == (
        "senior_high",
        "public",
        "610112",
    )


def test_it_imports_a_units_xlsx_with_english_headers(tree, tmp_path):
    path = tmp_path / "units.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["code", "name", "level", "parent_code", "stage"])
    sheet.write_row(1, 0, ["610199", "新区", "county", "610100", ""])
    sheet.write_row(2, 0, ["2161000001", "新区小学", "school", "610199", "compulsory"])
    workbook.close()
    call_command("import_units", str(path), stdout=io.StringIO())
    assert Unit.objects.get(code="2161000001").path.startswith("000000/610000/610100/610199/")


def test_it_reports_every_problem_by_row_and_column(tree, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,level,parent_code,stage\n"
        "3661000050,A,school,610112,vocational\n"
        "99,B,county,610100,\n"
        "3661000051,C,school,610112,martian\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_units", str(path), stdout=io.StringIO(), stderr=err)
    assert "第3行【code】" in err.getvalue()
    assert "第4行【stage】" in err.getvalue()
    assert not Unit.objects.filter(code="3661000050").exists()
