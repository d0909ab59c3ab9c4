"""资金收支汇总: every table's figures against sums computed here over the inputs this file
makes (allocations, own funds, recipient lists, vouchers), never through the report code.

The year 2025 of 中职国家助学金 (jointly funded, Shaanxi tier 1 = 80% central):

    000000 own 10000 central ─ 800 central → 610000 (own 300 provincial)
    610000 → 610100 (own 100 prefectural): 500 central + 150 provincial
    610100 → 610112 (own 40 county): 300 c + 100 p + 60 pf;  → 610111: 150 c + 20 pf
    610112 → 3661000001: 200 c + 60 p + 30 pf + 25 co, later 15 c (unconfirmed);
            → 3661000002: 80 c + 10 co (unconfirmed)
    610111 → 3661000003: 100 c
"""

import io
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import TREE, login_as
from tests.funds.factories import backdate_allocations
from tests.recipients.factories import make_list
from zizhu.accounts.models import User
from zizhu.audit.models import AuditEvent
from zizhu.catalogue.models import AidProject
from zizhu.fundreports.models import CostSharingTier, ProvinceSplit, ProvinceTier
from zizhu.fundreports.summary_upper import _tier_codes
from zizhu.funds.models import SourceLevel
from zizhu.funds.services import allocation_create, filing_create, receipt_confirm
from zizhu.units.models import Unit
from zizhu.vouchers.models import Voucher
from zizhu.web.menu import visible_menu

D = Decimal
YEAR = 2025
LEVELS = ("central", "provincial", "prefectural", "county")
OWN = {
    "000000": {"central": D("10000.00")},
    "610000": {"provincial": D("300.00")},
    "610100": {"prefectural": D("100.00")},
    "610112": {"county": D("40.00")},
}
ALLOCATIONS = [
    ("000000", "610000", {"central": D("800.00")}),
    ("610000", "610100", {"central": D("500.00"), "provincial": D("150.00")}),
    (
        "610100",
        "610112",
        {"central": D("300.00"), "provincial": D("100.00"), "prefectural": D("60.00")},
    ),
    ("610100", "610111", {"central": D("150.00"), "prefectural": D("20.00")}),
    (
        "610112",
        "3661000001",
        {
            "central": D("200.00"),
            "provincial": D("60.00"),
            "prefectural": D("30.00"),
            "county": D("25.00"),
        },
    ),
    ("610112", "3661000002", {"central": D("80.00"), "county": D("10.00")}),
    ("610111", "3661000003", {"central": D("100.00")}),
]
# receipts confirmed after the allocations above: code → arrival date
RECEIPTS = {"610000": date(2025, 2, 1), "610112": date(2025, 3, 1), "3661000001": date(2025, 4, 10)}
LATE = ("610112", "3661000001", {"central": D("15.00")})  # after the school's receipt
# (school, school year, term, serials, approved); 1150.00 a row (tests/recipients/factories)
LISTS = [
    ("3661000001", 2024, "spring", (1, 2), True),  # spring 2025 → funds year 2025
    ("3661000001", 2025, "autumn", (3,), True),  # autumn 2025 → 2025
    ("3661000001", 2024, "autumn", (4, 5), True),  # autumn 2024 → funds year 2024
    ("3661000002", 2025, "autumn", (6,), False),  # not approved
    ("3661000003", 2024, "spring", (7,), True),
]
ROW_AMOUNT = D("1150.00")
VOUCHERS = [
    ("3661000001", 2025, D("180.00")),
    ("3661000001", 2025, D("20.50")),
    ("3661000003", 2025, D("90.00")),
    ("3661000001", 2024, D("999.00")),
]
PARENT = {row.code: row.parent_code for row in TREE} | {"610000": "000000"}


def below(node: str, code: str) -> bool:
    while code in PARENT:
        code = PARENT[code]
        if code == node:
            return True
    return False


def child_of(node: str, code: str) -> str | None:
    if code == node or not below(node, code):
        return None
    while PARENT[code] != node:
        code = PARENT[code]
    return code


def received(code: str) -> dict[str, Decimal]:
    sums = defaultdict(Decimal)
    for _source, target, amounts in [*ALLOCATIONS, LATE]:
        if target == code:
            for level, amount in amounts.items():
                sums[level] += amount
    return sums


def allocated(code: str) -> dict[str, Decimal]:
    sums = defaultdict(Decimal)
    for source, _target, amounts in [*ALLOCATIONS, LATE]:
        if source == code:
            for level, amount in amounts.items():
                sums[level] += amount
    return sums


def list_total(code: str, *, year=YEAR) -> Decimal:
    return sum(
        (
            ROW_AMOUNT * len(serials)
            for school, sy, term, serials, ok in LISTS
            if ok
            and (school == code or below(code, school))
            and ((sy, term) in ((year - 1, "spring"), (year, "autumn")))
        ),
        D("0"),
    )


def voucher_total(code: str) -> Decimal:
    return sum((a for s, y, a in VOUCHERS if y == YEAR and (s == code or below(code, s))), D("0"))


def build_year(tree) -> dict:
    """The year of the docstring, made with the funds and recipients services."""
    grant = AidProject.objects.get(code="vocational_national_grant")
    filings = {
        code: filing_create(
            unit=tree[code], year=YEAR, project=grant, own_funds=sum(own.values()), actor=None
        )
        for code, own in OWN.items()
    }
    for source, target, amounts in ALLOCATIONS:
        filings[target] = allocation_create(
            source=filings[source], target_unit=tree[target], amounts=amounts, actor=None
        ).to_filing
    backdate_allocations(date(2025, 1, 2))
    for code, arrival in RECEIPTS.items():
        receipt_confirm(filing=filings[code], arrival_date=arrival, actor=None)
    source, target, amounts = LATE
    allocation_create(source=filings[source], target_unit=tree[target], amounts=amounts, actor=None)
    for school, year, term, serials, approved in LISTS:
        make_list(tree[school], *serials, year=year, term=term, approve=approved)
    for school, year, amount in VOUCHERS:
        Voucher.objects.create(
            unit=tree[school], year=year, project=grant, students=1, amount=amount
        )
    return filings


@pytest.fixture
def summary_year(tree, users):
    return build_year(tree)


def table(response, key: str):
    return next(t for t in response.context["tables"] if t.key == key)


def by_label(t) -> dict:
    return {row.cells[0]: row.cells[1:] for row in t.rows}


def get(client, user, category="national", **params):
    login_as(client, user)
    response = client.get(f"/funds/reports/summary/{category}/", params)
    assert response.status_code == 200
    return response


def label(level: str) -> str:
    return str(SourceLevel(level).label)


def rate(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(D("0.01")) if whole else None


def reaching(code: str) -> dict[str, Decimal]:
    """Money reaching `code`'s subtree: what it received plus own funds at or below it."""
    sums = defaultdict(Decimal, received(code))
    for unit, own in OWN.items():
        if unit == code or below(code, unit):
            for level, amount in own.items():
                sums[level] += amount
    return sums


def test_it_sums_the_overall_funds_of_the_node_by_project_and_level(client, users, summary_year):
    t = table(get(client, users["province_operator"]), "overview")
    got = {row.cells[1]: row.cells[2:] for row in t.rows if not row.total}
    expected = {}
    for level in LEVELS:
        rec, own = received("610000")[level], OWN["610000"].get(level, D("0"))
        out = allocated("610000")[level]
        if rec or own or out:
            expected[label(level)] = [rec, own, rec + own, out, rec + own - out]
    assert got == expected
    assert {row.cells[0] for row in t.rows if not row.total} == {"中职国家助学金"}
    assert t.rows[-1].cells[2:] == [sum(col) for col in zip(*expected.values(), strict=True)]


def test_it_compares_the_central_share_with_the_policy_tier(client, users, summary_year):
    t = table(get(client, users["province_operator"]), "sharing")
    rows = {row.cells[0]: row.cells[1:] for row in t.rows}
    for code, name in (("610000", "陕西省"), ("610100", "西安市"), ("4161000001", "陕西某学院")):
        amounts = reaching(code)
        local = amounts["provincial"] + amounts["prefectural"] + amounts["county"]
        central = amounts["central"]
        actual = rate(central, central + local)
        difference = actual - 80 if actual is not None else None
        expected = [*(amounts[level] for level in LEVELS), local, actual, 1, D("80.00"), difference]
        assert rows[name] == expected, name
    assert rows["陕西省"][5] == rate(D("800"), D("1240"))  # 800 ÷ (800 + 300 + 100 + 40)


def test_it_shows_the_central_user_each_province_against_its_tier(client, tree, summary_year):
    ministry = User.objects.create(
        username="ministry", role="operator", unit=tree["000000"], must_change_password=False
    )
    t = table(get(client, ministry), "sharing")
    shaanxi = next(row for row in t.rows if row.unit is not None and row.unit.code == "610000")
    amounts = reaching("610000")
    local = amounts["provincial"] + amounts["prefectural"] + amounts["county"]
    assert shaanxi.cells[1:] == [
        *(amounts[level] for level in LEVELS),
        local,
        rate(amounts["central"], amounts["central"] + local),
        1,
        D("80.00"),
        rate(amounts["central"], amounts["central"] + local) - 80,
    ]
    keys = [t.key for t in get(client, ministry).context["tables"]]
    assert "sharing_split" not in keys  # the split below a province is the province's


def test_it_splits_local_funds_against_the_configured_split(client, users, summary_year):
    ProvinceSplit.objects.create(code="610000", prefecture_share=D("30"), county_share=D("20"))
    t = table(get(client, users["province_operator"]), "sharing_split")
    amounts = reaching("610000")
    local = sum((amounts[level] for level in LEVELS[1:]), D("0"))
    configured = {"provincial": D("50"), "prefectural": D("30"), "county": D("20")}
    assert by_label(t) == {
        label(level): [amounts[level], rate(amounts[level], local), configured[level]]
        for level in LEVELS[1:]
    }


def test_it_executes_per_level_and_per_child(client, users, summary_year):
    response = get(client, users["prefecture_operator"])
    t = table(response, "levels")
    own = OWN["610100"]
    for level in LEVELS:
        rec, o, out = received("610100")[level], own.get(level, D("0")), allocated("610100")[level]
        funds = rec + o
        assert by_label(t)[label(level)] == [rec, o, funds, out, funds - out, rate(out, funds)]
    children = by_label(table(response, "level_children"))
    for code, name in (("610112", "未央区"), ("610111", "灞桥区")):
        funds = sum(received(code).values(), D("0")) + sum(OWN.get(code, {}).values(), D("0"))
        out = sum(allocated(code).values(), D("0"))
        assert children[name][1:] == [funds, out, funds - out, rate(out, funds)]
    assert response.context["chart"]["levels"] == [label(level) for level in LEVELS]


def test_it_sums_the_schools_below_each_child(client, users, summary_year):
    t = table(get(client, users["province_operator"]), "schools")
    rows = by_label(t)
    school_codes = [r.code for r in TREE if r.level == "school"]
    for code, name in (("610100", "西安市"), ("4161000001", "陕西某学院")):
        schools = [s for s in school_codes if s == code or below(code, s)]
        got = sum((sum(received(s).values(), D("0")) for s in schools), D("0"))
        paid = voucher_total(code)
        assert rows[name] == [len(schools), got, list_total(code), paid, rate(paid, got)], name
    assert rows["西安市"][2] == D("4600.00")  # lists of A (3 rows) and C (1 row) in 2025
    assert t.rows[-1].total and t.rows[-1].cells[1] == len(school_codes)


def test_it_shows_a_county_the_arrivals_per_level_and_per_school(client, users, summary_year):
    response = get(client, users["county_operator"])
    keys = [t.key for t in response.context["tables"]]
    assert keys == ["arrivals", "arrival_children", "pending", "recipients", "vouchers"]
    arrivals = by_label(table(response, "arrivals"))["中职国家助学金"]
    expected = []
    for level in LEVELS:
        amount = received("610112")[level]
        expected += [amount, RECEIPTS["610112"] if amount else None]
    assert arrivals == [*expected, sum(received("610112").values(), D("0"))]
    children = by_label(table(response, "arrival_children"))
    late = sum(LATE[2].values(), D("0"))
    total_a = sum(received("3661000001").values(), D("0"))
    assert children["未央职教中心"] == [total_a, total_a - late, late, RECEIPTS["3661000001"]]
    total_b = sum(received("3661000002").values(), D("0"))
    assert children["未央第二职高"] == [total_b, D("0"), total_b, None]


def test_it_sums_recipient_lists_and_vouchers_per_school(client, users, summary_year):
    response = get(client, users["county_operator"])
    lists = by_label(table(response, "recipients"))
    assert lists["未央职教中心"] == [2, 3, list_total("3661000001")]
    assert lists["未央第二职高"] == [0, 0, D("0")]  # its list is not approved
    vouchers = by_label(table(response, "vouchers"))
    assert vouchers["未央职教中心"] == [2, 2, voucher_total("3661000001")]
    assert table(response, "vouchers").rows[-1].cells[1:] == [2, 2, voucher_total("610112")]


def test_it_shows_a_school_its_rows_and_the_receipt_form(client, users, summary_year):
    response = get(client, users["school_operator"])
    pending = table(response, "pending")
    assert [row.cells[1:7] for row in pending.rows] == [
        ["未央区", D("15.00"), D("0"), D("0"), D("0"), D("15.00")]
    ]
    form = response.context["confirm_forms"]
    assert [f.url for f in form] == [
        reverse("funds:receipt_confirm", args=[summary_year["3661000001"].pk])
    ]
    assert b'name="arrival_date"' in response.content
    lists = table(response, "recipients")
    assert [row.cells[3] for row in lists.rows if not row.total] == [D("2300.00"), D("1150.00")]
    assert all(row.url.startswith("/recipients/") for row in lists.rows if not row.total)
    # the year, term, batch and version as the list's own page names them
    terms = {row.cells[1] for row in lists.rows if not row.total}
    assert all(re.fullmatch(r"20\d\d (春|秋)季学期 · 批次 \d+ · 版本 \d+", t) for t in terms), terms
    vouchers = table(response, "vouchers")
    assert sorted(row.cells[3] for row in vouchers.rows if not row.total) == [
        D("20.50"),
        D("180.00"),
    ]


@pytest.mark.parametrize("username", ["county_supervisor", "county_operator"])
def test_it_offers_the_receipt_form_only_to_the_units_own_operator(
    client, users, summary_year, username
):
    response = get(client, users[username], unit="3661000002")
    assert len(table(response, "pending").rows) == 1
    assert response.context["confirm_forms"] == []
    assert b'name="arrival_date"' not in response.content


def test_it_balances_school_aid_against_approved_lists(client, tree, users):
    school_aid = AidProject.objects.get(code="vocational_school_hardship")
    filing_create(
        unit=tree["3661000001"],
        year=YEAR,
        project=school_aid,
        school_funds=D("5000.00"),
        other_funds=D("300.00"),
        actor=None,
    )
    own = school_aid.code
    make_list(tree["3661000001"], 8, 9, project=own, year=2024, term="spring", approve=True)
    make_list(tree["3661000002"], 10, project=own, year=2025, term="spring", approve=True)
    rows = by_label(table(get(client, users["county_operator"], category="school"), "funds"))
    spent = ROW_AMOUNT * 2  # the 2025-spring list of B belongs to funds year 2026
    total = D("5300.00")
    assert rows["未央职教中心"] == [D("5000.00"), D("300.00"), D("0"), total, spent, total - spent]
    assert rows["未央第二职高"] == [D("0")] * 6
    school = get(client, users["school_operator"], category="school")
    assert by_label(table(school, "funds"))["未央职教中心"][5] == total - spent


def test_it_answers_404_for_a_unit_outside_the_scope(client, users, summary_year):
    login_as(client, users["county_operator"])
    for code in ("610111", "3661000003", "9999999999"):
        response = client.get("/funds/reports/summary/national/", {"unit": code})
        assert response.status_code == 404, code
    login_as(client, users["sysadmin"])
    assert client.get("/funds/reports/summary/national/").status_code == 403


def test_it_exports_each_table_and_audits_it(client, users, summary_year):
    login_as(client, users["province_operator"])
    response = client.get("/funds/reports/summary/national/sharing.xlsx", {"year": YEAR})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "陕西省"
    assert D(str(values[1][1])) == reaching("610000")["central"]
    event = AuditEvent.objects.get(action="fundreports.summary_export")
    assert event.detail["table"] == "sharing" and event.detail["rows"] == len(values) - 1
    missing = client.get("/funds/reports/summary/national/arrivals.xlsx")
    assert missing.status_code == 404  # not a table of a province's report


def test_it_reads_lists_of_the_other_year_when_asked(client, users, summary_year):
    response = get(client, users["county_operator"], year=2024)
    assert response.context["scope"].year == 2024
    lists = by_label(table(response, "recipients"))
    assert lists["未央职教中心"][2] == list_total("3661000001", year=2024) == D("2300.00")


def test_it_seeds_the_policy_tiers(db):
    shares = dict(CostSharingTier.objects.values_list("number", "central_share"))
    assert shares == {1: 80, 2: 60, 3: 50, 4: 30, 5: 10}
    counts = Counter(ProvinceTier.objects.values_list("tier__number", flat=True))
    assert counts == {1: 12, 2: 10, 3: 3, 4: 9, 5: 2}
    assert ProvinceTier.objects.get(code="610000").tier.number == 1


@translation.override("en")
def test_it_lists_the_four_categories_in_the_menu(users):
    for username in ("school_operator", "county_supervisor"):
        labels = [str(item.label) for item in _leaves(visible_menu(users[username]))]
        assert labels.count("Income and expenditure summary") == 1, username
    assert "Income and expenditure summary" not in [
        str(item.label) for item in _leaves(visible_menu(users["sysadmin"]))
    ]


def _leaves(items):
    for item in items:
        yield item
        yield from _leaves(item.children)


def test_it_takes_a_separately_planned_citys_own_tier(db):
    dalian = Unit(code="210200", path="000000/210000/210200/", depth=2, level="prefecture")
    county = Unit(code="210202", path="000000/210000/210200/210202/", depth=3, level="county")
    assert _tier_codes(dalian) == _tier_codes(county) == ["210200", "210000"]
    tiers = dict(ProvinceTier.objects.values_list("code", "tier__number"))
    assert (tiers["210200"], tiers["210000"]) == (4, 3)


def test_it_lets_the_system_administrator_edit_a_tier_audited(client, users):
    login_as(client, users["sysadmin"])
    tier = CostSharingTier.objects.get(number=2)
    url = f"/admin/fundreports/costsharingtier/{tier.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"number": 2, "central_share": "65.00", "note": "调整"})
    assert response.status_code == 302
    assert CostSharingTier.objects.get(number=2).central_share == D("65.00")
    assert AuditEvent.objects.filter(action="admin.change").exists()
    login_as(client, users["province_operator"])
    assert client.get(url).status_code == 302  # to the login page: not an administrator


def test_it_writes_each_figure_as_its_own_cell_in_chinese(client, users, summary_year):
    # the figures' cells are joined in Python: each shown escaped in its own numeric cell,
    # amounts as 1,234.00 元
    from django.utils.html import escape

    response = get(client, users["province_operator"])
    html = response.content.decode()
    t = table(response, "overview")
    assert t.rows
    for row in t.rows:
        cells = "".join(f'<td class="num">{escape(shown)}</td>' for shown in row.shown[1:])
        assert cells in html, row.cells
    total = t.rows[-1].shown
    assert total[4] == "1,100.00 元"  # received 800 and own 300 at the province
    assert '<td class="num">1,100.00 元</td>' in html


# a table's body as the template wrote it before the rows were built in Python
BODY_TEMPLATE = """{% for row in table.rows %}
      {% with cell=row.shown.0 %}<tr{% if row.total %} class="total"{% endif %}>
        <td>{% if row.unit %}<a href="{{ page_url }}?{% if query %}{{ query }}&amp;{% endif %}unit={{ row.unit.code }}">{{ cell }}</a>{% elif row.url %}<a href="{{ row.url }}">{{ cell }}</a>{% elif row.total %}<strong>{{ cell }}</strong>{% else %}{{ cell }}{% endif %}</td>
        {{ row.figures }}
      </tr>{% endwith %}
    {% endfor %}"""  # noqa: E501 - the old template's line, kept as it was


@pytest.mark.parametrize("who", ["school_operator", "county_operator", "province_operator"])
def test_the_rows_are_what_the_template_wrote(client, users, summary_year, who):
    """Every kind of row (drill-down to a unit, a list's page, total, plain; amounts, counts,
    percentages, empty cells; a name to escape) reads as the template wrote it."""
    from django.template import engines
    from django.utils.html import format_html_join

    for code in ("3661000001", "610112", "610100"):  # names to escape at each level
        Unit.objects.filter(code=code).update(name=f'{code}<&">')
    response = get(client, users[who])
    html = response.content.decode()
    template = engines["django"].from_string(BODY_TEMPLATE)
    kinds = Counter()
    for t in response.context["tables"]:
        for row in t.rows:
            row.figures = format_html_join("", '<td class="num">{}</td>', zip(row.shown[1:]))
            kinds.update(["unit" if row.unit else "url" if row.url else "total" * row.total])
        with translation.override("zh-hans"):
            expected = template.render(
                {
                    "table": t,
                    "page_url": response.wsgi_request.path,
                    "query": response.context["query"],
                }
            )
        if not t.rows:  # the template's own empty row, as before
            assert f'colspan="{len(t.header)}" class="empty"' in html, t.key
            continue
        assert str(t.body) == expected, t.key
        assert f"<tbody>\n    {expected}\n    </tbody>" in html, t.key
    assert kinds["total"] and kinds[""] and kinds["url" if who == "school_operator" else "unit"]
    bodies = "".join(str(t.body) for t in response.context["tables"])
    assert "&lt;&amp;&quot;&gt;" in bodies or who == "school_operator"


@pytest.mark.parametrize("key", ["levels", "level_children"])
def test_the_rate_columns_read_as_percentages_on_the_page(client, users, summary_year, key):
    """A rate column is a percentage by its header's (%): its cells read 87.5%, never 元."""
    t = table(get(client, users["prefecture_operator"]), key)
    rates = [i for i, h in enumerate(t.header) if "执行率" in str(h)]
    assert rates
    shown = [row.shown[i] for row in t.rows for i in rates if row.cells[i] is not None]
    assert shown and all(s.endswith("%") and "元" not in s for s in shown), shown


def test_the_cost_sharing_shares_and_their_difference_in_points_never_read_as_yuan(
    client, users, summary_year
):
    """The difference column says 百分点 and no %: its header, not its words, declares it a
    percentage column (formats.Percent); it once read 0.00 元."""
    t = table(get(client, users["prefecture_operator"]), "sharing")
    shares = [i for i, h in enumerate(t.header) if "比例" in str(h) or "差额" in str(h)]
    assert len(shares) == 3
    shown = [row.shown[i] for row in t.rows for i in shares if row.cells[i] is not None]
    assert shown and all(s.endswith("%") and "元" not in s for s in shown), shown
    response = client.get("/funds/reports/summary/national/sharing.xlsx", {"year": YEAR})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    formats = {sheet.cell(row=2, column=i + 1).number_format for i in shares}
    assert formats == {"0.0%"}  # the export's columns alike
