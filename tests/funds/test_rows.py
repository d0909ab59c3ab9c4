"""The allocation tables' rows built in Python (zizhu.funds.rows) read as the templates wrote
them: every reversal state (a counter-entry with its reason, a reversed allocation, a reversal
awaiting the receiver with and without the receiver's forms, the sender's forms before and
after the receipt), names and reasons to escape. The one-time keys and the CSRF tokens differ
from one rendering to the next; they are compared as placeholders, and each row's key is its
own."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.conftest import login_as
from tests.funds.factories import backdate_allocations
from zizhu.funds.models import Filing, SourceLevel
from zizhu.funds.selectors import allocations_in, allocations_out
from zizhu.funds.services import (
    allocation_create,
    allocation_reverse,
    filing_create,
    receipt_confirm,
    reversal_request,
)
from zizhu.units.models import Unit

from .conftest import YEAR

P = SourceLevel.PROVINCIAL

# the reversal cell as the templates included it before the rows were built in Python
CELL = """{% if a.reverses_id %}<span class="status-returned">{% translate "Counter-entry (冲销)" %}</span>{% if a.reason %} <span class="hint">{{ a.reason }}</span>{% endif %}
{% elif a.reversal %}<span class="hint">{% translate "Reversed" %} {{ a.reversal.created_at|date:"Y-m-d" }}</span>
{% elif a.pending_requests %}<span class="hint">{% translate "Reversal requested, awaiting the receiver's agreement" %}</span>{% if not sender and may_correct %}{% with r=a.pending_requests.0 %}
  <span data-testid="reversal-request-{{ r.pk }}">{% translate "Reason" %}: {{ r.reason }}</span>
  <form method="post" action="{% url 'funds:reversal_agree' r.pk %}" class="inline">{% csrf_token %}<input type="hidden" name="form_key" value="{{ new_key }}"><button type="submit">{% translate "Agree to the reversal" %}</button></form>
  <form method="post" action="{% url 'funds:reversal_decline' r.pk %}" class="inline">{% csrf_token %}<label>{% translate "Reason for declining" %} <input type="text" name="note" maxlength="500" required></label><button type="submit" class="link">{% translate "Decline" %}</button></form>
{% endwith %}{% endif %}
{% elif sender %}<form method="post" action="{% url 'funds:allocation_reverse' a.pk %}" class="inline" data-testid="reverse-{{ a.pk }}">{% csrf_token %}<input type="hidden" name="form_key" value="{{ new_key }}"><label>{% if a.receipt %}{% translate "Reason (the receiver must agree)" %}{% else %}{% translate "Reason for the reversal" %}{% endif %} <input type="text" name="reason" maxlength="500" required></label><button type="submit">{% if a.receipt %}{% translate "Request reversal" %}{% else %}{% translate "Reverse" %}{% endif %}</button></form>
{% endif %}
"""  # noqa: E501 - the old template's lines, kept as they were
ARRIVAL = """<td>{% if a.receipt %}{{ a.receipt.arrival_date|date:"Y-m-d" }}{% elif not a.reverses_id and not a.reversal %}<span class="hint">{% translate "not confirmed" %}</span>{% endif %}</td>"""  # noqa: E501
AMOUNTS = """<td class="num">{{ a.central|yuan }}</td><td class="num">{{ a.provincial|yuan }}</td><td class="num">{{ a.prefectural|yuan }}</td><td class="num">{{ a.county|yuan }}</td>"""  # noqa: E501
OLD = {
    "sent": '{% for a in allocations %}<tr id="allocation-{{ a.pk }}" data-testid="allocation-{{ a.pk }}"><td>{{ a.to_filing.unit.name }}</td>'  # noqa: E501
    + AMOUNTS
    + '<td>{{ a.created_at|date:"Y-m-d H:i" }}</td>'
    + ARRIVAL
    + "\n    <td>{% with sender=True %}"
    + CELL
    + "{% endwith %}</td></tr>\n  {% endfor %}",
    "out": "{% for a in allocations %}<tr><td>{{ a.to_filing.unit.name }}</td>"
    + AMOUNTS
    + ARRIVAL
    + "<td>{% with sender=False may_correct=False %}"
    + CELL
    + "{% endwith %}</td></tr>{% endfor %}",
    "in": '{% for a in allocations %}<tr id="incoming-{{ a.pk }}"><td>{{ a.from_filing.unit.name }}</td>'  # noqa: E501
    + AMOUNTS
    + ARRIVAL
    + "<td>{% with sender=False %}"
    + CELL
    + "{% endwith %}</td></tr>{% endfor %}",
}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
KEY = re.compile(r'name="form_key" value="([0-9a-f-]{36})"')


def placeholders(html: str) -> str:
    return KEY.sub('name="form_key" value="KEY"', TOKEN.sub("TOKEN", html))


@pytest.fixture
def states(tree, grant, users):
    """Province 610000's allocations to prefecture 610100 in every state a row shows."""
    Unit.objects.filter(code="610100").update(name='西安市<&">')
    province = filing_create(
        unit=tree["610000"], year=YEAR, project=grant, own_funds=Decimal("4000000.00"), actor=None
    )
    every_state(province, tree["610100"], users["province_operator"])
    return province, Filing.objects.get(unit__code="610100")


def every_state(province: Filing, target: Unit, sender) -> None:
    """Five allocations from `province` to `target`: one awaiting the receiver's agreement
    to its reversal, one confirmed, one not confirmed, one reversed and its counter-entry."""

    def send(amount: str):
        return allocation_create(
            source=province, target_unit=target, amounts={P: Decimal(amount)}, actor=None
        )

    pending, _confirmed = send("120.00"), send("80.50")
    backdate_allocations()
    received = Filing.objects.get(unit=target, year=province.year, project=province.project)
    receipt_confirm(filing=received, arrival_date=date(2025, 3, 1), actor=None)
    reversal_request(allocation=pending, reason='错拨<b>"', actor=sender)
    send("30.00")  # not confirmed: the sender may reverse it at once
    allocation_reverse(allocation=send("1234567.00"), reason="重复 & 录入", actor=sender)


@pytest.mark.parametrize("table", ["sent", "out", "in"])
def test_the_rows_read_as_the_template_wrote_them(client, users, states, table):
    province, prefecture = states
    if table == "sent":
        user, url = users["province_operator"], reverse("funds:allocations", args=[province.pk])
        rows, key, extra = allocations_out(province), "allocation_rows", {}
    elif table == "out":
        user, url = users["province_operator"], reverse("funds:filing_edit", args=[province.pk])
        rows, key, extra = allocations_out(province), "allocations_out_rows", {}
    else:
        user, url = users["prefecture_operator"], reverse("funds:filing_edit", args=[prefecture.pk])
        rows, key, extra = allocations_in(prefecture), "incoming_rows", {"may_correct": True}
    response = login_as(client, user).get(url)
    assert response.status_code == 200
    built = str(response.context[key])
    with translation.override("zh-hans"):
        expected = (
            engines["django"]
            .from_string("{% load i18n %}" + OLD[table])
            .render({"allocations": list(rows), "new_key": uuid.uuid4, "csrf_token": "t", **extra})
        )
    assert placeholders(built) == placeholders(expected)
    assert built in response.content.decode()
    keys = KEY.findall(built)
    assert len(keys) == len(set(keys)) == {"sent": 2, "out": 0, "in": 1}[table]
    assert "西安市&lt;&amp;&quot;&gt;" in built or table == "in"
    assert "1,234,567.00 元" in built
    shown = {"sent": ["冲销", "已冲销", "待接收单位同意", "申请冲销", "未确认"], "in": ["同意冲销"]}
    for text in shown.get(table, []):
        assert text in built, text


@pytest.mark.parametrize("page", ["allocations", "sender's filing", "receiver's filing"])
def test_the_tables_are_read_in_the_same_number_of_queries_however_many_rows(
    client, tree, users, states, page
):
    """No row reads its filing, unit, receipt, counter-entry or requests on its own (the
    rows' columns are limited: a column left out would be read a row at a time)."""
    province, prefecture = states
    if page == "receiver's filing":
        client = login_as(client, users["prefecture_operator"])
        url = reverse("funds:filing_edit", args=[prefecture.pk])
    else:
        client = login_as(client, users["province_operator"])
        name = "funds:allocations" if page == "allocations" else "funds:filing_edit"
        url = reverse(name, args=[province.pk])

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode().count("1,234,567.00 元")

    few, shown = queries()
    every_state(province, tree["610100"], users["province_operator"])
    assert queries() == (few, 2 * shown) and shown
