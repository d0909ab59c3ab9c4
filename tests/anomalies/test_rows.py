"""The findings page's table bodies built in Python (zizhu.anomalies.rows) read as the
template wrote them: students seen in full (grade, major) and masked, counterparts with and
without their kind, every status, the empty table, names to escape, and the child rows'
links carrying filters; in both languages."""

import pytest
from django.template import engines
from django.utils import translation

from zizhu.anomalies.models import Finding, FindingStatus
from zizhu.anomalies.rows import children_body, findings_body
from zizhu.anomalies.selectors import (
    DETAIL_URLS,
    counts_by_child,
    finding_rows,
    findings_for,
)
from zizhu.recipients.models import RecipientRow
from zizhu.units.models import Unit

from .factories import OLD, approved_list, make_finding, make_run

# the table bodies as the template wrote them before they were built in Python
OLD_ROWS = """{% load i18n %}{% for row in rows %}{% with f=row.finding %}
      <tr>
        <td>{{ f.rule }} {{ row.rule.name_zh }}</td>
        <td class="risk-{{ f.risk }}">{{ f.get_risk_display }}</td>
        <td>{{ f.school.name }}</td>
        <td data-testid="student-name">{{ row.name|default:"—" }}{% if row.grade %}<br><span class="hint">{{ row.grade }}{% if row.major %} · {{ row.major }}{% endif %}</span>{% endif %}</td>
        <td>{{ row.id_number }}</td>
        <td>{{ row.counterpart|default:"—" }}{% if row.kind %}<br><span class="hint">{{ row.kind }}</span>{% endif %}</td>
        <td data-testid="detail">{{ row.detail }}</td>
        <td class="status-{{ f.status }}" data-testid="status">{{ f.get_status_display }}</td>
        <td><a href="{% url detail_url f.pk %}">{% translate "View" %}</a></td>
      </tr>
    {% endwith %}    {% empty %}
      <tr><td colspan="9" class="empty">{% translate "No findings." %}</td></tr>
    {% endfor %}"""  # noqa: E501 - the old template's lines, kept as they were
OLD_CHILDREN = """{% for row in children %}
      <tr>
        <td>{{ row.unit.code }}</td>
        <td><a href="{{ list_url }}?{% if unit_query %}{{ unit_query }}&amp;{% endif %}unit={{ row.unit.code }}">{{ row.unit.name }}</a></td>
        <td>{{ row.unit.get_level_display }}</td>
        {% for n in row.per_risk %}<td class="num">{{ n }}</td>{% endfor %}
        <td class="num">{{ row.total }}</td>
      </tr>
    {% endfor %}"""  # noqa: E501
LIST_URL = "/anomalies/national-grant/"


def old(text: str, context: dict) -> str:
    return engines["django"].from_string(text).render(context)


@pytest.fixture
def shown(tree):
    """National-grant findings at school A (its rows with grades and majors, one without a
    major, one without either) and B, in every status; names to escape."""
    Unit.objects.filter(code="3661000001").update(name='甲校<&">')
    approved_list("3661000001", "national_grant", [(pid, OLD) for pid in (1, 2, 3, 4)])
    approved_list("3661000002", "national_grant", [(5, OLD)])
    rows = dict(RecipientRow.objects.values_list("pid", "pk"))
    RecipientRow.objects.filter(pid=1).update(grade="2023级<b>", major='数控 & "技术"')
    RecipientRow.objects.filter(pid=2).update(grade="2024级", major="")
    RecipientRow.objects.filter(pid=3).update(name="")
    run = make_run()
    made = [
        make_finding(run, "3661000001", rule=rule, pid=pid, row_id=rows[pid])
        for rule, pid in ((6, 1), (9, 2), (23, 3), (15, 4))
    ]
    made.append(make_finding(run, "3661000002", rule=23, pid=5, row_id=rows[5]))
    for finding, status in zip(made, FindingStatus.values, strict=False):
        Finding.objects.filter(pk=finding.pk).update(status=status)
    return Finding.objects.select_related("school", "row").order_by("rule", "pid")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ["school_operator", "county_operator", "province_operator"])
def test_the_finding_rows_read_as_the_template_wrote_them(users, shown, who, language):
    user = users[who]
    rows = finding_rows(user, list(shown.filter(pk__in=findings_for(user))))
    assert rows
    detail = DETAIL_URLS["national_grant"]
    with translation.override(language):
        expected = old(OLD_ROWS, {"rows": rows, "detail_url": detail})
        assert findings_body(rows, detail) == expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_empty_table_reads_as_the_template_wrote_it(db, language):
    detail = DETAIL_URLS["tuition_waiver"]
    with translation.override(language):
        assert findings_body([], detail) == old(OLD_ROWS, {"rows": [], "detail_url": detail})


@pytest.mark.parametrize("query", ["", "month=2024-10&risk=high"])
@pytest.mark.parametrize(
    "who,unit", [("county_operator", "610112"), ("province_operator", "610000")]
)
def test_the_child_rows_read_as_the_template_wrote_them(users, tree, shown, who, unit, query):
    Unit.objects.filter(code="610100").update(name='西安市<&">')
    children = counts_by_child(Unit.objects.get(code=unit), findings_for(users[who]))
    assert children and any(row.total for row in children)
    context = {"children": children, "list_url": LIST_URL, "unit_query": query}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert children_body(children, LIST_URL, query) == old(OLD_CHILDREN, context)
