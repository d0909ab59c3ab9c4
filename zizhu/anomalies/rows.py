"""The findings page's table bodies, escaped, as the template wrote them: built here because
the centre's and a province's page (fifty findings, a row per child unit) cost more through
the template, a lookup and a filter per cell, than the page's queries."""

from collections.abc import Iterable

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zizhu.anomalies.models import FindingStatus, Risk
from zizhu.anomalies.selectors import ChildCounts, FindingRow
from zizhu.lib.addresses import address_of
from zizhu.lib.i18n import labels
from zizhu.units.models import Level

EMPTY = "—"  # `|default:"—"`


def findings_body(rows: Iterable[FindingRow], detail_url: str) -> SafeString:
    """The findings table's body rows (or its empty row); `detail_url` names the page of one
    finding."""
    e = conditional_escape
    address = address_of(detail_url)
    risks, statuses = labels(Risk.choices), labels(FindingStatus.choices)
    view = e(_("View"))
    out = []
    for row in rows:
        f = row.finding
        name = e(row.name or EMPTY)
        if row.grade:
            major = f" · {e(row.major)}" if row.major else ""
            name += f'<br><span class="hint">{e(row.grade)}{major}</span>'
        counterpart = e(row.counterpart or EMPTY)
        if row.kind:
            counterpart += f'<br><span class="hint">{e(row.kind)}</span>'
        rule = e(row.rule.name_zh) if row.rule is not None else ""
        out.append(
            "\n      <tr>\n"
            f"        <td>{f.rule} {rule}</td>\n"
            f'        <td class="risk-{e(f.risk)}">{risks.get(f.risk, e(f.risk))}</td>\n'
            f"        <td>{e(f.school.name)}</td>\n"
            f'        <td data-testid="student-name">{name}</td>\n'
            f"        <td>{e(row.id_number)}</td>\n"
            f"        <td>{counterpart}</td>\n"
            f'        <td data-testid="detail">{e(row.detail)}</td>\n'
            f'        <td class="status-{e(f.status)}" data-testid="status">'
            f"{statuses.get(f.status, e(f.status))}</td>\n"
            f'        <td><a href="{address(f.pk)}">{view}</a></td>\n'
            "      </tr>\n        "
        )
    if not out:
        empty = e(_("No findings."))
        out.append(f'\n      <tr><td colspan="9" class="empty">{empty}</td></tr>\n    ')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def children_body(children: Iterable[ChildCounts], list_url: str, unit_query: str) -> SafeString:
    """The per-child counts' body rows: each child's code, its name linking to its own
    findings (with the page's filters), its level, the count per risk and the total."""
    e = conditional_escape
    levels = labels(Level.choices)
    link = e(f"{list_url}?{unit_query}&unit=" if unit_query else f"{list_url}?unit=")
    out = []
    for row in children:
        unit = row.unit
        counts = "".join(f'<td class="num">{n}</td>' for n in row.per_risk)
        out.append(
            "\n      <tr>\n"
            f"        <td>{e(unit.code)}</td>\n"
            f'        <td><a href="{link}{e(unit.code)}">{e(unit.name)}</a></td>\n'
            f"        <td>{levels.get(unit.level, e(unit.level))}</td>\n"
            f"        {counts}\n"
            f'        <td class="num">{row.total}</td>\n'
            "      </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
