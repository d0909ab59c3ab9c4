"""The filing list's rows built in Python (zizhu.funds.filing_rows) read as the template wrote
them, the white space between cells aside: an authority's columns and a school's of each
category, deadlines passed and to come, filings submitted late, on time and not at all, names
to escape, the empty list; in both languages."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import timezone, translation

from tests.conftest import login_as
from tests.funds.conftest import YEAR, _project
from zizhu.funds.filing_rows import filing_rows
from zizhu.funds.models import Filing, FilingStatus
from zizhu.funds.services import allocation_create, deadline_set, filing_create

# the list's rows as the template wrote them before they were built in Python
OLD = """{% load i18n %}{% for f in page %}
    <tr>
      <td>{{ f.year }}</td>
      <td><a href="{% url 'funds:filing_edit' f.pk %}">{{ f.project.name }}</a></td>
      <td data-testid="status">{{ f.get_status_display }}</td>
      {% if unit.is_authority %}<td class="num">{{ f.received|default:0|yuan }}</td><td class="num">{{ f.own_funds|yuan }}</td><td class="num">{{ f.allocated|default:0|yuan }}</td>
      {% elif category == "school" %}<td class="num">{{ f.received_funds|yuan }}</td><td class="num">{{ f.school_funds|yuan }}</td><td class="num">{{ f.other_funds|yuan }}</td>
      {% elif category == "social" %}<td class="num">{{ f.social_funds|yuan }}</td><td class="num">{{ f.other_funds|yuan }}</td>
      {% else %}<td class="num">{{ f.received|default:0|yuan }}</td>{% endif %}
      <td>{% if f.due_at %}{{ f.due_at|date:"Y-m-d H:i" }}{% if f.due_at <= now %} <span class="hint">{% translate "passed" %}</span>{% endif %}{% endif %}</td>
      <td>{{ f.submitted_at|date:"Y-m-d H:i" }}{% if f.due_at and f.submitted_at and f.submitted_at > f.due_at %} <span class="risk-high">{% translate "late" %}</span>{% endif %}</td>
    </tr>
  {% empty %}<tr><td colspan="9" class="empty">{% translate "No filings yet." %}</td></tr>
  {% endfor %}"""  # noqa: E501 - the old template's lines, kept as they were
URLS = {"national": "/funds/filing/national/", "school": "/funds/filing/school/"}
URLS["social"] = "/funds/filing/social/"


def spaced(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.fixture
def filings(tree, grant, users):
    """The province's national filings of four years (one with money allocated out, deadlines
    passed and to come, submitted late and on time, a draft) and a school's of every category."""
    province, school = tree["610000"], tree["3661000001"]
    grant.name = '中职<国家>助学金 & "其他"'
    grant.save()
    now = timezone.now()
    for year, due, submitted in (
        (YEAR, now - timedelta(days=3), now - timedelta(days=1)),  # late
        (YEAR - 1, now - timedelta(days=400), now - timedelta(days=500)),  # on time
        (YEAR + 1, now + timedelta(days=30), None),  # a draft, its deadline to come
        (YEAR - 2, None, None),
    ):
        own = Decimal(f"{year}0000.50")
        filing = filing_create(unit=province, year=year, project=grant, own_funds=own, actor=None)
        if submitted:
            Filing.objects.filter(pk=filing.pk).update(
                status=FilingStatus.SUBMITTED, submitted_at=submitted
            )
        if due:
            deadline_set(unit=tree["000000"], year=year, project=grant, due_at=due, actor=None)
        if year == YEAR:
            allocation_create(
                source=filing,
                target_unit=tree["610100"],
                amounts={"provincial": Decimal("1234567.25")},
                actor=None,
            )
    for code, name, category in (
        ("school_aid", "学校<资助>", "school"),
        ("social", "社会", "social"),
    ):
        project = _project(code, name, "any", category=category)
        made = filing_create(unit=school, year=YEAR, project=project, actor=None)
        Filing.objects.filter(pk=made.pk).update(
            received_funds=Decimal("100.25"),
            school_funds=Decimal("20.50") if category == "school" else None,
            social_funds=Decimal("30.75") if category == "social" else None,
            other_funds=Decimal("4.00"),
        )
    filing_create(unit=school, year=YEAR, project=grant, actor=None)
    return users


@pytest.mark.parametrize(
    "who,category",
    [
        ("province_operator", "national"),
        ("school_operator", "national"),
        ("school_operator", "school"),
        ("school_operator", "social"),
        ("county_operator", "national"),  # no filing: the empty row
    ],
)
def test_the_rows_read_as_the_template_wrote_them(client, filings, who, category):
    login_as(client, filings[who])
    context = client.get(URLS[category]).context
    page, unit = context["page"], context["unit"]
    assert (len(page) > 0) == (who != "county_operator")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            now = timezone.now()
            expected = (
                engines["django"]
                .from_string(OLD)
                .render({"page": page, "unit": unit, "category": category, "now": now})
            )
            rows = filing_rows(page, authority=unit.is_authority, category=category, now=now)
            assert spaced(rows) == spaced(expected)
            if language == "zh-hans":  # the page's own language
                assert spaced(context["rows"]) == spaced(expected)
