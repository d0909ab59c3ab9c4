"""支付凭证上传 (school), 支付凭证查看 (authorities), the download and the export."""

import hashlib
import io
import uuid
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.conftest import login_as
from tests.vouchers.factories import make_voucher
from tests.vouchers.files import HOSTILE, jpeg, pdf, png, upload
from zizhu.audit.models import AuditEvent
from zizhu.lib.uploads import check_attachment
from zizhu.units.models import Unit
from zizhu.units.services import UnitRow, units_import
from zizhu.vouchers.models import Voucher, VoucherFile

LIST, NEW, VIEW = "/funds/vouchers/", "/funds/vouchers/new/", "/funds/reports/vouchers/"
EXPORT = "/funds/reports/vouchers/export.xlsx"


def stored_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "vouchers"
    return sorted(folder.iterdir()) if folder.exists() else []


def form(grant, files, **overrides):
    data = {
        "year": "2025",
        "project": grant.code,
        "students": "12",
        "amount": "27600.00",
        "note": "秋季学期",
        "files": files,
        "form_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


# --- 支付凭证上传 ----------------------------------------------------------------------------


def test_the_school_operator_uploads_a_voucher_with_several_files(client, users, grant):
    login_as(client, users["school_operator"])
    files = [upload("回单.pdf", pdf()), upload("照片.jpg", jpeg()), upload("截图.png", png())]

    data = form(grant, files)
    response = client.post(NEW, data)

    voucher = Voucher.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST}#voucher-{voucher.pk}"
    # the same form sent again (a double click): no second voucher, the same answer
    for f in files:
        f.seek(0)
    again = client.post(NEW, data)
    assert again["Location"] == response["Location"] and Voucher.objects.count() == 1
    assert (voucher.unit.code, voucher.students, voucher.amount, voucher.note) == (
        "3661000001",
        12,
        Decimal("27600.00"),
        "秋季学期",
    )
    assert sorted(voucher.files.values_list("name", flat=True)) == [
        "回单.pdf",
        "截图.png",
        "照片.jpg",
    ]
    page = client.get(LIST)
    assert "回单.pdf" in page.content.decode() and "27,600.00 元" in page.content.decode()
    with translation.override("en"):
        crumbs = [str(item.label) for item in page.context["breadcrumbs"]]
    assert crumbs == [
        "Aid business management",
        "Aid fund management",
        "Voucher upload",
        "National aid",
    ]


def test_one_bad_file_of_two_saves_nothing_and_names_the_file_and_the_reason(client, users, grant):
    login_as(client, users["school_operator"])
    name, data, reason = HOSTILE["png_then_html"]

    response = client.post(NEW, form(grant, [upload("好的.pdf", pdf()), upload(name, data)]))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert f"第 2 个文件“{name}”" in errors and reason in errors
    assert not Voucher.objects.exists() and not VoucherFile.objects.exists()
    assert not stored_files()


@pytest.mark.parametrize("amount", ["12.345", "0", "-5", "1e3x"])
def test_the_form_refuses_amounts_that_are_not_positive_with_two_places(
    client, users, grant, amount
):
    login_as(client, users["school_operator"])
    response = client.post(NEW, form(grant, [upload("a.pdf", pdf())], amount=amount))
    assert response.status_code == 200 and response.context["form"].errors
    assert not Voucher.objects.exists()


def test_the_school_reviewer_uploads_vouchers_too(client, users, grant):
    # 支付凭证上传 is for both school roles (业务操作人员 and 业务审核人员)
    make_voucher(users["school_operator"])
    login_as(client, users["school_reviewer"])

    page = client.get(LIST)
    assert page.status_code == 200
    assert len(page.context["page"]) == 1 and page.context["may_record"]
    assert NEW in page.content.decode()
    assert "资助金额" in client.get(NEW).content.decode()
    response = client.post(NEW, form(grant, [upload("a.pdf", pdf())]))
    assert response.status_code == 302
    assert Voucher.objects.count() == 2
    assert Voucher.objects.latest("pk").created_by == users["school_reviewer"]


def test_the_school_list_shows_only_its_own_vouchers_with_totals(client, users, grant, waiver):
    make_voucher(users["school_operator"], students=3, amount="6900.00")
    make_voucher(users["school_operator"], students=2, amount="4000.50", project=waiver)
    make_voucher(users["school_operator"], students=5, amount="10000.00", year=2024)
    make_voucher(users["neighbour_school_operator"], students=7, amount="99.99")
    login_as(client, users["school_operator"])

    everything = client.get(LIST).context
    assert len(everything["page"]) == 3
    assert everything["total"] == {
        "count": 3,
        "students_total": 10,
        "amount_total": Decimal("6900.00") + Decimal("4000.50") + Decimal("10000.00"),
    }
    filtered = client.get(LIST, {"year": "2025", "project": grant.code}).context
    assert filtered["total"]["amount_total"] == Decimal("6900.00")


def test_the_operator_deletes_a_voucher_and_its_files(client, users, grant):
    voucher = make_voucher(users["school_operator"], files=[upload("a.pdf", pdf())])
    login_as(client, users["school_operator"])
    response = client.post(f"/funds/vouchers/{voucher.pk}/delete/")
    assert response.status_code == 302
    assert not Voucher.objects.exists() and not VoucherFile.objects.exists()
    assert AuditEvent.objects.filter(action="vouchers.delete").count() == 1


# --- the download ---------------------------------------------------------------------------


def test_the_download_is_an_attachment_that_no_browser_renders(client, users, grant):
    data = check_attachment("x.png", png()).content  # what is stored: the image saved anew
    voucher = make_voucher(users["school_operator"], files=[upload("凭证 照片.png", png())])
    record = voucher.files.get()
    login_as(client, users["county_supervisor"])

    response = client.get(f"/funds/vouchers/files/{record.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        'attachment; filename="voucher.png"; '
        "filename*=UTF-8''%E5%87%AD%E8%AF%81%20%E7%85%A7%E7%89%87.png"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    event = AuditEvent.objects.get(action="vouchers.download")
    assert event.detail["sha256"] == hashlib.sha256(data).hexdigest()


def test_another_countys_operator_gets_404_for_a_voucher_file(client, users, grant):
    record = make_voucher(users["school_operator"]).files.get()
    login_as(client, users["neighbour_operator"])
    assert client.get(f"/funds/vouchers/files/{record.pk}/").status_code == 404
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.detail["reason"] == "out_of_scope"
    assert not AuditEvent.objects.filter(action="vouchers.download").exists()


# --- 支付凭证查看 ----------------------------------------------------------------------------

# (school code, year, students, amount) of the vouchers in the authority tests
ROWS = [
    ("3661000001", 2025, 3, "6900.00"),
    ("3661000001", 2025, 2, "4600.10"),
    ("3661000002", 2025, 4, "9200.00"),
    ("3661000002", 2024, 1, "2000.00"),
    ("3661000003", 2025, 5, "11500.55"),
]


def add_voucher(code: str, year: int, students: int, amount: str, project) -> Voucher:
    voucher = Voucher.objects.create(
        unit=Unit.objects.get(code=code),
        year=year,
        project=project,
        students=students,
        amount=Decimal(amount),
    )
    VoucherFile.objects.create(
        voucher=voucher,
        file="vouchers/x.pdf",
        name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    return voucher


def expected_per_school(rows, year=None, codes=None) -> dict[str, tuple[int, int, Decimal]]:
    """Count, students and amount per school, summed in plain Python over the test's rows."""
    result: dict[str, tuple[int, int, Decimal]] = {}
    for code, row_year, students, amount in rows:
        if (year is None or row_year == year) and (codes is None or code in codes):
            count, total_students, total = result.get(code, (0, 0, Decimal("0")))
            result[code] = (count + 1, total_students + students, total + Decimal(amount))
    return result


@pytest.fixture
def vouchers(tree, grant):
    return [add_voucher(*row, grant) for row in ROWS]


def per_school(context) -> dict[str, tuple[int, int, Decimal]]:
    return {
        row["unit__code"]: (row["count"], row["students_total"], row["amount_total"])
        for row in context["schools"]
    }


def test_the_county_sees_per_school_totals_of_its_schools_only(client, users, vouchers):
    login_as(client, users["county_operator"])
    context = client.get(VIEW).context
    mine = {"3661000001", "3661000002"}
    assert per_school(context) == expected_per_school(ROWS, codes=mine)
    assert len(context["page"]) == 4
    total = sum((Decimal(r[3]) for r in ROWS if r[0] in mine), Decimal("0"))
    assert context["total"]["amount_total"] == total
    # yuan with two places on every database (SQLite keeps decimals as floats)
    assert str(context["total"]["amount_total"]) == "22700.10" == str(total)
    page = client.get(VIEW).content.decode()
    assert "11,500.10 元" in page and "11,200.00 元" in page
    year = client.get(VIEW, {"year": "2025"}).context
    assert per_school(year) == expected_per_school(ROWS, year=2025, codes=mine)
    school = client.get(VIEW, {"school": "3661000002"}).context
    assert per_school(school) == expected_per_school(ROWS, codes={"3661000002"})


def test_the_prefecture_drills_down_to_a_county_and_a_school(client, users, vouchers):
    login_as(client, users["prefecture_operator"])
    top = client.get(VIEW).context
    children = {row.unit.code: (row.count, row.students, row.amount) for row in top["children"]}
    expected = expected_per_school(ROWS)
    by_county = {"610112": ("3661000001", "3661000002"), "610111": ("3661000003",)}
    for county, schools in by_county.items():
        assert children[county] == tuple(
            sum((expected[s][i] for s in schools), start)
            for i, start in enumerate((0, 0, Decimal("0")))
        )
    county = client.get(VIEW, {"unit": "610111"}).context
    assert per_school(county) == expected_per_school(ROWS, codes={"3661000003"})
    assert [u.code for u in county["trail"]] == ["610100", "610111"]
    school = client.get(VIEW, {"unit": "3661000001"}).context
    assert per_school(school) == expected_per_school(ROWS, codes={"3661000001"})
    assert school["children"] == []


def test_a_unit_outside_the_scope_is_a_404_and_school_users_get_403(client, users, vouchers):
    login_as(client, users["county_operator"])
    assert client.get(VIEW, {"unit": "610111"}).status_code == 404
    assert client.get(VIEW, {"unit": "3661000003"}).status_code == 404
    login_as(client, users["school_operator"])
    assert client.get(VIEW).status_code == 403


def test_the_export_has_the_filtered_rows_and_is_audited(client, users, vouchers):
    login_as(client, users["prefecture_operator"])
    response = client.get(EXPORT, {"year": "2025"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:6] == ("学校代码", "学校", "使用年度", "资助项目", "受助学生数", "资助金额")
    assert sorted((r[0], r[4], r[5]) for r in rows) == sorted(
        (code, students, float(amount)) for code, year, students, amount in ROWS if year == 2025
    )
    event = AuditEvent.objects.get(action="vouchers.export")
    assert event.detail["rows"] == 4 and event.detail["unit"] == "610100"


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(VIEW, params).status_code == 200
    return len(captured)


def test_the_view_needs_the_same_queries_for_2_and_6_schools(client, users, tree, grant):
    for code in ("3661000001", "3661000002"):
        add_voucher(code, 2025, 2, "100.00", grant)
    login_as(client, users["province_operator"])
    before = {"province": _queries(client), "county": _queries(client, unit="610112")}

    # four more schools (two in a new county), each with three vouchers of two files
    units_import(
        rows=[UnitRow("610113", "新区", "county", "610100")]
        + [
            UnitRow(f"36610002{k:02d}", f"学校{k}", "school", county, stage="vocational")
            for k, county in enumerate(["610112", "610112", "610113", "610113"])
        ]
    )
    for k in range(4):
        for _ in range(3):
            voucher = add_voucher(f"36610002{k:02d}", 2025, 1, "50.00", grant)
            VoucherFile.objects.create(
                voucher=voucher,
                file="vouchers/y.png",
                name="y.png",
                content_type="image/png",
                size=1,
                sha256="1" * 64,
            )
    after = {"province": _queries(client), "county": _queries(client, unit="610112")}

    assert after == before
    assert len(client.get(VIEW).context["schools"]) == 6


def test_the_upload_form_asks_for_at_least_one_file(client, users, grant):
    login_as(client, users["school_operator"])
    response = client.post(NEW, form(grant, []))
    assert response.status_code == 200 and "files" in response.context["form"].errors
    assert not Voucher.objects.exists()


def test_a_long_per_school_table_stops_at_its_limit(client, users, vouchers, monkeypatch):
    from zizhu.fundreports import vouchers_views as views

    monkeypatch.setattr(views, "SCHOOL_ROWS", 2)
    login_as(client, users["prefecture_operator"])
    response = client.get(VIEW)
    # three schools have vouchers (ROWS); the table shows two and says so
    assert response.content.decode().count('data-testid="more-schools"') == 1
    response = client.get(VIEW, {"unit": "610112"})
    assert 'data-testid="more-schools"' not in response.content.decode()


def test_the_pages_of_the_view_list_every_voucher_once_newest_year_first(
    client, users, vouchers, monkeypatch
):
    from zizhu.fundreports import vouchers_views as views

    # pages of 3 over 5 vouchers (four of 2025, one of 2024): page 2 holds the last of 2025
    # and the one of 2024 (each page reads its ids, then its rows)
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    login_as(client, users["prefecture_operator"])
    listed, number = [], 1
    while True:
        context = client.get(VIEW, {"page": number}).context
        listed += [v.pk for v in context["page"]]
        if not context["page"].has_next():
            break
        number += 1
    expected = Voucher.objects.order_by("-year", "unit__code", "-pk")
    assert listed == [v.pk for v in expected]
    assert context["page"].paginator.count == len(ROWS)
    assert context["total"]["count"] == len(ROWS)
    assert context["total"]["students_total"] == sum(r[2] for r in ROWS)


def test_the_province_totals_a_direct_school_apart_from_its_prefecture(
    client, users, vouchers, grant
):
    # the province's children: the prefecture (three schools below it) and two direct schools
    units_import(rows=[UnitRow("4161000002", "陕西另一学院", "school", "610000", stage="higher")])
    add_voucher("4161000001", 2025, 7, "700.00", grant)
    add_voucher("4161000001", 2023, 1, "10.00", grant)
    add_voucher("4161000002", 2025, 3, "30.00", grant)
    login_as(client, users["province_operator"])
    context = client.get(VIEW).context
    children = {row.unit.code: (row.count, row.students, row.amount) for row in context["children"]}
    assert children == {
        "610100": (
            len(ROWS),
            sum(r[2] for r in ROWS),
            sum((Decimal(r[3]) for r in ROWS), Decimal("0")),
        ),
        "4161000001": (2, 8, Decimal("710.00")),
        "4161000002": (1, 3, Decimal("30.00")),
    }
    assert context["total"]["count"] == len(ROWS) + 3
    assert context["page"].paginator.count == len(ROWS) + 3


@pytest.mark.parametrize("sorted_up_to", [0, 50_000])  # every year walked, every year sorted
@pytest.mark.parametrize("whole_tree", [True, False])
def test_every_window_of_the_list_follows_the_order_of_one_sort(
    users, vouchers, grant, whole_tree, sorted_up_to, monkeypatch
):
    from zizhu.vouchers import selectors
    from zizhu.vouchers.selectors import InOrder, overview, vouchers_for

    monkeypatch.setattr(selectors, "SORTED_UP_TO", sorted_up_to)

    # four years, one of them with a single voucher: windows span one, two and three years
    add_voucher("4161000001", 2023, 1, "10.00", grant)
    add_voucher("3661000003", 2022, 1, "10.00", grant)
    add_voucher("3661000001", 2022, 1, "10.00", grant)
    user = users["province_operator"]
    scoped = vouchers_for(user)
    expected = list(scoped.order_by("-year", "unit__code", "-pk").values_list("pk", flat=True))
    figures = overview(user.unit, scoped)
    assert figures.years == {2025: 4, 2024: 1, 2023: 1, 2022: 2}
    listed = InOrder(scoped, figures.years, lambda queryset: queryset, whole_tree=whole_tree)
    assert len(listed) == len(expected) == 8
    for size in range(1, 9):
        for start in range(0, 9):
            window = [v.pk for v in listed[start : start + size]]
            assert window == expected[start : start + size], (start, size)


def test_the_view_of_the_own_unit_or_a_child_reads_no_trail(
    client, users, vouchers, django_assert_num_queries
):
    # the session, the user and its unit, the school choices, the children, the totals, the
    # projects, the page's ids, its rows, their files, the per-school totals: the trail
    # needs a query only for units between the user's unit and the shown one (a county)
    login_as(client, users["province_operator"])
    for unit, queries in (("", 10), ("610100", 11), ("610112", 12)):
        with django_assert_num_queries(queries):
            assert client.get(VIEW, {"unit": unit} if unit else {}).status_code == 200
