"""Every XLSX and CSV download of the product, read back: Chinese file names and headers, no
internal code in any cell, local times, numbers as numbers with formats, sized columns."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.codes import known_codes
from tests.conftest import login_as
from zizhu.vouchers.models import Voucher

from .reading import CJK, read
from .world import exports

NUMBER_TEXT = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?%?")
DOWNLOAD = re.compile(r"(export|\.xlsx|\.csv)")


def download_names(patterns=None, namespace="") -> set[str]:
    """The URL names of the URLconf whose route is a download."""
    found = set()
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            found |= download_names(p.url_patterns, inner or namespace)
        elif isinstance(p, URLPattern) and DOWNLOAD.search(str(p.pattern)):
            found.add(f"{namespace}:{p.name}" if namespace else p.name)
    return found


def fetch(client, users, world):
    for name, user, path, query in exports(client, users, world):
        login_as(client, users[user])
        response = client.get(path, query)
        assert response.status_code == 200, (name, user, path, response.status_code)
        yield name, user, read(response)


def test_it_knows_every_export_of_the_url_conf(client, users, world):
    listed = {name for name, *_rest in exports(client, users, world)}
    assert listed == download_names()


def test_every_export_speaks_chinese_with_typed_sized_columns(client, users, world):
    codes = known_codes()
    seen = 0
    for name, user, export in fetch(client, users, world):
        where = (name, user, export.name)
        assert CJK.search(export.name), where
        assert all(CJK.search(str(h or "")) for h in export.header), (where, export.header)
        for row in export.rows:
            for index, value in enumerate(row):
                # a login name is a person's identifier, even when it reads "auditor"
                if export.header[index] != "用户名":
                    assert value not in codes, (where, export.header[index], value)
                if export.kind == "xlsx" and isinstance(value, str):
                    text_format = export.formats[export.rows.index(row)][index] == "@"
                    assert text_format or not NUMBER_TEXT.fullmatch(value), (where, value)
                if export.kind == "xlsx" and isinstance(value, int | float):
                    assert export.formats[export.rows.index(row)][index] != "General", where
        if export.kind == "xlsx":
            for index, header in enumerate(export.header):
                assert export.widths[index] >= len(str(header)) * 2, (where, header)
            assert len(set(export.widths)) > 1 or len(export.widths) == 1, where
        seen += 1
    assert seen >= 40


def test_amounts_are_numbers_with_thousands_format_and_times_are_local(client, users, world):
    login_as(client, users["county_operator"])
    export = read(client.get("/funds/reports/vouchers/export.xlsx", {"year": 2025}))
    assert export.name == "支付凭证-未央区-2025.xlsx"
    (row,) = export.rows
    amount = export.header.index("资助金额")
    assert row[amount] == 345726800 and export.formats[0][amount] == "#,##0.00"
    uploaded = export.header.index("上传时间")
    stored = Voucher.objects.get().created_at
    assert row[uploaded] == timezone.localtime(stored).replace(tzinfo=None, microsecond=0)
    assert timezone.localtime(stored).utcoffset() == timedelta(hours=8)
    assert isinstance(row[uploaded], datetime)
    assert row[export.header.index("上传人")] == users["school_operator"].shown_name


def test_progress_exports_carry_a_total_row(client, users, world):
    login_as(client, users["province_operator"])
    export = read(client.get("/funds/reports/progress/national/export.xlsx", {"year": 2025}))
    assert export.header[:3] == ["单位代码", "单位名称", "级别"]
    *body, total = export.rows
    assert total[1] == "合计"
    expected = export.header.index("应填报")
    assert total[expected] == sum(r[expected] for r in body)
    rate = export.header.index("填报率")
    assert export.formats[-1][rate] == "0.0%" and 0 <= total[rate] <= 1


def test_the_finding_export_names_the_rule_school_status_and_explanation(client, users, world):
    login_as(client, users["county_operator"])
    export = read(client.get("/anomalies/national-grant/export.xlsx"))
    (row,) = export.rows
    shown = dict(zip(export.header, row, strict=True))
    assert shown["规则编号"] == 23 and CJK.search(shown["规则"])
    assert shown["风险等级"] in ("高风险", "中风险", "低风险")
    assert shown["学校"] == "正常文本" and shown["状态"] == "已说明"
    assert shown["核查说明"] == "正常文本"
    assert shown["学生姓名"] == "正***"  # an authority gets the name masked
    login_as(client, users["school_operator"])
    (row,) = read(client.get("/anomalies/national-grant/export.xlsx")).rows
    assert row[export.header.index("学生姓名")] == "正常文本"


def test_the_list_export_keeps_id_numbers_as_text(client, users, world):
    login_as(client, users["school_operator"])
    export = read(client.get(f"/recipients/{world['list']}/export.xlsx"))
    assert export.header[0] == "身份证件号"
    assert all(isinstance(r[0], str) and len(r[0]) == 18 for r in export.rows)
    assert {f[0] for f in export.formats} == {"@"}
    assert export.rows[0][export.header.index("资助金额")] == float(Decimal("1150"))
    template = read(client.get("/recipients/template.xlsx"))
    assert template.header[0] == "身份证件号"
    id_column = re.search(r'<col min="1" max="1"[^>]*style="(\d+)"', template.raw_sheet)
    assert id_column, "the ID column of the template has no text format"
