"""The filing pages: lists per category, the edit page's fields per unit kind and category,
stale saves, the PDF body upload and download, allocations, receipts, deadlines."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import login_as
from tests.funds.conftest import YEAR, _project
from zizhu.catalogue.models import Category
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import Allocation, Filing, FilingStatus, SourceLevel
from zizhu.funds.services import allocation_create, deadline_set, filing_create, filing_submit

from .factories import (
    HTML_NAMED_PDF,
    PDF,
    PDF_WITH_JAVASCRIPT,
    backdate_allocations,
    png,
    upload,
)

D = Decimal
P = SourceLevel.PROVINCIAL


def key() -> dict:
    """A fresh one-time form key, as each rendered money form carries (docs/adr/0009)."""
    return {"form_key": str(uuid.uuid4())}


KEY = key()


def edit_url(filing) -> str:
    return f"/funds/filings/{filing.pk}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def county(tree, grant, users):
    return filing_create(
        unit=tree["610112"], year=YEAR, project=grant, actor=users["county_operator"]
    )


def doc_post(filing, **extra) -> dict:
    return {
        "doc_number": "未财教〔2025〕3号",
        "doc_date": "2025-04-01",
        "doc_title": "转发资金通知",
        "own_funds": "50.00",
        "version": filing.version,
    } | extra


# --- lists -----------------------------------------------------------------------------------


def test_it_lists_only_the_own_units_filings_of_the_category(client, tree, grant, users):
    school_aid = _project("school_aid", "学校资助", "any", category="school")
    filing_create(unit=tree["3661000001"], year=YEAR, project=grant, actor=None)
    filing_create(unit=tree["3661000001"], year=YEAR, project=school_aid, actor=None)
    filing_create(unit=tree["3661000002"], year=YEAR, project=grant, actor=None)
    login_as(client, users["school_operator"])
    national = client.get("/funds/filing/national/")
    assert [f.project.code for f in national.context["page"]] == [grant.code]
    assert {f.unit.code for f in national.context["page"]} == {"3661000001"}
    school = client.get("/funds/filing/school/")
    assert [f.project.code for f in school.context["page"]] == ["school_aid"]
    assert school.context["breadcrumbs"][-1].url_name == "funds:filing_school"


def test_it_offers_projects_of_the_units_kind_and_stage(client, tree, users):
    login_as(client, users["school_operator"])  # a vocational school
    stages = {
        p.stage
        for p in client.get("/funds/filing/national/").context["form"].fields["project"].queryset
    }
    assert stages == {"vocational"}
    login_as(client, users["county_operator"])
    projects = client.get("/funds/filing/national/").context["form"].fields["project"].queryset
    assert {p.category for p in projects} == {"national"}
    assert {"vocational", "higher", "senior_high"} <= {p.stage for p in projects}


def test_it_creates_a_filing_from_the_list_and_refuses_a_second_one(client, tree, grant, users):
    login_as(client, users["school_operator"])
    response = client.post("/funds/filing/national/new/", {"year": YEAR, "project": grant.pk})
    filing = Filing.objects.get(unit=tree["3661000001"], project=grant)
    assert response.status_code == 302 and response["Location"] == edit_url(filing)
    again = client.post("/funds/filing/national/new/", {"year": YEAR, "project": grant.pk})
    assert "已有 2025 年度" in again.content.decode()


def test_it_lists_filings_in_a_constant_number_of_queries(client, tree, grant, users):
    operator = users["county_operator"]
    login_as(client, operator)

    def count() -> int:
        client.get("/funds/filing/national/")  # warm the session and the menu
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/funds/filing/national/")
        assert response.status_code == 200
        return len(queries), len(response.context["page"])

    filing_create(unit=tree["610112"], year=2020, project=grant, actor=operator)
    small = count()
    for year in range(2021, 2027):
        filing_create(unit=tree["610112"], year=year, project=grant, actor=operator)
    large = count()
    assert (small[1], large[1]) == (1, 7)
    assert small[0] == large[0]


def test_it_shows_the_amounts_of_the_list_from_the_ledger(
    client, tree, grant, province_filing, users
):
    allocation_create(
        source=province_filing,
        target_unit=tree["610100"],
        amounts={P: D("70.00")},
        actor=users["province_operator"],
    )
    login_as(client, users["province_operator"])
    row = client.get("/funds/filing/national/").context["page"][0]
    # own 200 (fixture), nothing received, 70 out: the test's own inputs
    assert (row.received, row.own_funds, row.allocated) == (D("0"), D("200.00"), D("70.00"))


# --- the edit page ----------------------------------------------------------------------------


def test_it_shows_each_kind_of_filing_its_own_fields(client, tree, grant, users):
    county = filing_create(unit=tree["610112"], year=YEAR, project=grant, actor=None)
    school = filing_create(unit=tree["3661000001"], year=YEAR, project=grant, actor=None)
    school_aid = filing_create(
        unit=tree["3661000001"],
        year=YEAR,
        project=_project("school_aid", "学校资助", "any", category="school"),
        actor=None,
    )
    social = filing_create(
        unit=tree["3661000001"],
        year=YEAR,
        project=_project("social_aid", "社会资助", "any", category="social"),
        actor=None,
    )
    login_as(client, users["county_operator"])
    form = client.get(edit_url(county)).context["form"]
    assert list(form.fields) == [
        "doc_number",
        "doc_date",
        "doc_title",
        "document",
        "own_funds",
        "version",
    ]
    login_as(client, users["school_operator"])
    assert client.get(edit_url(school)).context["form"] is None  # received funds only
    fields = list(client.get(edit_url(school_aid)).context["form"].fields)
    assert fields == [
        "received_funds",
        "received_arrival_date",
        "school_funds",
        "other_funds",
        "version",
    ]
    fields = list(client.get(edit_url(social)).context["form"].fields)
    assert fields == ["social_funds", "other_funds", "version"]
    login_as(client, users["school_reviewer"])
    assert client.get(edit_url(school_aid)).context["form"] is None  # the reviewer reads


def test_it_shows_received_funds_and_arrival_dates_by_source_level(
    client, tree, grant, province_filing, users
):
    prefecture = allocation_create(
        source=province_filing, target_unit=tree["610100"], amounts={P: D("90.00")}, actor=None
    ).to_filing
    allocation_create(
        source=prefecture, target_unit=tree["610112"], amounts={P: D("40.00")}, actor=None
    )
    county = Filing.objects.get(unit=tree["610112"], project=grant)
    backdate_allocations()
    login_as(client, users["county_operator"])
    response = client.post(
        f"/funds/filings/{county.pk}/receipt/",
        {"arrival_date": "2025-05-06", "next": "/funds/reports/summary/national/"} | KEY,
    )
    assert response["Location"] == "/funds/reports/summary/national/"
    page = client.get(edit_url(county))
    levels = {level: (amount, arrived) for level, _, amount, arrived in page.context["levels"]}
    assert levels[P] == (D("40.00"), date(2025, 5, 6))
    assert levels[SourceLevel.CENTRAL] == (D("0"), None)


def test_it_refuses_a_stale_save_and_keeps_nothing_of_it(client, county, users):
    login_as(client, users["county_operator"])
    first = client.post(edit_url(county), doc_post(county, doc_title="第一次"))
    assert first.status_code == 302
    stale = client.post(edit_url(county), doc_post(county, doc_title="过时的", own_funds="9"))
    assert stale.status_code == 302 and stale["Location"] == edit_url(county)
    page = client.get(edit_url(county))
    assert "该填报已被他人修改，请刷新后重新填写" in messages_of(page)
    county.refresh_from_db()
    assert (county.doc_title, county.own_funds, county.version) == ("第一次", D("50.00"), 2)
    assert page.context["form"]["doc_title"].value() == "第一次"
    assert page.context["form"]["version"].value() == 2
    assert ledger_discrepancies() == []


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("通知.jpg", None, "正文附件只能是 PDF 文件"),  # a real PNG: an image, not a PDF
        ("通知.png", None, "正文附件只能是 PDF 文件"),
        ("通知.pdf", HTML_NAMED_PDF, "不能上传 SVG、HTML 或 XML 文件"),
        ("通知.pdf", PDF_WITH_JAVASCRIPT, "文件含有自动执行的动作（运行脚本），已拒收"),
        ("通知.pdf", PDF + b" " * (10 * 1024 * 1024), "文件超过 10 MB 的上限"),
    ],
)
def test_it_refuses_a_document_that_is_not_a_plain_pdf(
    client, county, users, name, content, reason
):
    login_as(client, users["county_operator"])
    body = doc_post(county, document=upload(png() if content is None else content, name))
    response = client.post(edit_url(county), body)
    assert response.status_code == 200
    assert reason in " ".join(response.context["form"].errors["document"])
    county.refresh_from_db()
    assert (county.document.name, county.version, county.doc_title) == ("", 1, "")


def test_it_stores_the_pdf_under_a_random_name_and_serves_it_as_a_download(client, county, users):
    login_as(client, users["county_operator"])
    client.post(edit_url(county), doc_post(county, document=upload(PDF, "正文.pdf")))
    county.refresh_from_db()
    assert county.document_name == "正文.pdf"
    assert county.document.name.startswith("funds/documents/")
    assert "正文" not in county.document.name and county.document.name.endswith(".pdf")
    login_as(client, users["prefecture_operator"])  # the level above reads it
    response = client.get(f"/funds/filings/{county.pk}/document/")
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def test_it_submits_through_the_page_once_the_document_is_complete(client, county, users):
    login_as(client, users["county_operator"])
    client.post(f"/funds/filings/{county.pk}/submit/")
    assert "请先填写" in " ".join(messages_of(client.get(edit_url(county))))
    client.post(edit_url(county), doc_post(county, document=upload()))
    client.post(f"/funds/filings/{county.pk}/submit/")
    county.refresh_from_db()
    assert county.status == FilingStatus.SUBMITTED


def test_it_lets_the_schools_reviewer_return_with_a_reason(client, tree, grant, users):
    school = filing_create(
        unit=tree["3661000001"], year=YEAR, project=grant, actor=users["school_operator"]
    )
    filing_submit(filing=school, actor=users["school_operator"])
    login_as(client, users["school_reviewer"])
    client.post(f"/funds/filings/{school.pk}/return/", {"comment": ""})
    school.refresh_from_db()
    assert school.status == FilingStatus.PENDING
    client.post(f"/funds/filings/{school.pk}/return/", {"comment": "请核对"})
    school.refresh_from_db()
    assert (school.status, school.review_comment) == (FilingStatus.RETURNED, "请核对")


# --- allocations and receipts ------------------------------------------------------------------


def test_it_allocates_to_a_direct_child_of_the_projects_stage(
    client, tree, grant, province_filing, users
):
    login_as(client, users["province_operator"])
    url = f"/funds/filings/{province_filing.pk}/allocations/"
    page = client.get(url)
    form = page.context["form"]
    # only the level with money is offered; the higher-education school is not of the stage
    assert [name for name in form.fields if name not in ("target", "form_key")] == [P]
    assert [u.code for u in form.fields["target"].queryset] == ["610100"]
    response = client.post(url, {"target": "610100", P: "120.50"} | key())
    assert response.status_code == 302
    too_much = client.post(url, {"target": "610100", P: "79.51"} | key())
    assert "余额不足" in too_much.content.decode()
    balances = {b.source_level: b.available for b in client.get(url).context["balances"]}
    assert balances[P] == D("200.00") - D("120.50")
    amounts = list(Allocation.objects.values_list("provincial", flat=True))
    assert amounts == [D("120.50")]
    assert ledger_discrepancies() == []


def test_it_ignores_an_unsafe_next_after_a_receipt(client, tree, grant, province_filing, users):
    allocation_create(
        source=province_filing, target_unit=tree["610100"], amounts={P: D("5.00")}, actor=None
    )
    prefecture = Filing.objects.get(unit=tree["610100"], project=grant)
    backdate_allocations()
    login_as(client, users["prefecture_operator"])
    response = client.post(
        f"/funds/filings/{prefecture.pk}/receipt/",
        {"arrival_date": "2025-05-06", "next": "https://evil.example/"} | KEY,
    )
    assert response["Location"] == edit_url(prefecture)
    assert Allocation.objects.get().receipt.arrival_date == date(2025, 5, 6)


# --- deadlines ---------------------------------------------------------------------------------


def test_it_sets_a_deadline_and_lets_the_setter_unlock_a_late_school(client, tree, grant, users):
    school = filing_create(unit=tree["3661000001"], year=YEAR, project=grant, actor=None)
    login_as(client, users["county_operator"])
    past = timezone.localtime() - timedelta(days=1)
    response = client.post(
        "/funds/deadlines/",
        {"year": YEAR, "project": grant.pk, "due_at": past.strftime("%Y-%m-%dT%H:%M")},
    )
    deadline_url = response["Location"]
    rows = client.get(deadline_url).context["rows"]
    assert [(r["filing"].pk, r["frozen"]) for r in rows] == [(school.pk, True)]
    until = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/funds/filings/{school.pk}/unlock/", {"until": until, "reason": "系统故障"})
    school.refresh_from_db()
    assert school.unlocked_until is not None
    assert client.get(deadline_url).context["rows"][0]["frozen"] is False


def test_it_tells_apart_the_stages_projects_of_one_name(client, tree, grant, users):
    """A county sets deadlines for every stage's projects; 校内困难补助 is one a stage."""
    hardships = [
        _project(f"{stage}_school_hardship", "校内困难补助", stage, Category.SCHOOL)
        for stage in ("vocational", "senior_high")
    ]
    login_as(client, users["county_operator"])
    options = [
        label
        for _value, label in client.get("/funds/deadlines/")
        .context["form"]
        .fields["project"]
        .choices
    ]
    assert "校内困难补助（中等职业教育）" in options
    assert "校内困难补助（普通高中）" in options
    assert "中职国家助学金" in options  # a name of its own stays as it is
    assert "校内困难补助" not in options
    for project in hardships:
        deadline_set(
            unit=tree["610112"], year=YEAR, project=project, due_at=timezone.now(), actor=None
        )
    deadline_set(unit=tree["610112"], year=YEAR, project=grant, due_at=timezone.now(), actor=None)
    deadline_set(
        unit=tree["610112"], year=YEAR + 1, project=grant, due_at=timezone.now(), actor=None
    )
    page = client.get("/funds/deadlines/").content.decode()
    assert "校内困难补助（中等职业教育）</a>" in page and "校内困难补助（普通高中）</a>" in page
    assert page.count("中职国家助学金</a>") == 2  # two years of one project: no stage needed
    assert "<th>设置人</th>" in page  # a person's name under it, not a unit's


def test_it_shows_a_frozen_filing_without_a_form(client, tree, grant, users):
    school = filing_create(unit=tree["3661000001"], year=YEAR, project=grant, actor=None)
    deadline_set(
        unit=tree["610112"],
        year=YEAR,
        project=grant,
        due_at=timezone.now() - timedelta(hours=1),
        actor=None,
    )
    login_as(client, users["school_operator"])
    page = client.get(edit_url(school))
    assert page.context["frozen"] and not page.context["may_submit"]
    # no action left to take: no empty card where the buttons would be
    assert 'class="actions card"' not in page.content.decode()
    unfrozen = client.get(
        edit_url(filing_create(unit=tree["3661000001"], year=YEAR + 1, project=grant, actor=None))
    )
    assert unfrozen.context["may_submit"] and 'class="actions card"' in unfrozen.content.decode()


def test_it_shows_the_filing_menu_to_filers_only(client, users):
    def leaves(username) -> list[str]:
        login_as(client, users[username])

        def walk(items):
            for item in items:
                yield item.url_name
                yield from walk(item.children)

        names = walk(client.get("/").context["menu"])
        return [name for name in names if name.startswith("funds:")]

    assert leaves("county_operator") == [
        "funds:filing_national",
        "funds:filing_local",
        "funds:deadlines",
    ]
    assert leaves("school_reviewer") == [
        "funds:filing_national",
        "funds:filing_local",
        "funds:filing_school",
        "funds:filing_social",
    ]
    assert leaves("county_supervisor") == []
    assert leaves("county_leader") == []
