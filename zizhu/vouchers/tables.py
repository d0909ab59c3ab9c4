"""The body rows of the authorities' voucher page (支付凭证查看), escaped, as its template
wrote them: built here because ~300 schools, the children and a page of vouchers with their
files cost more through the template, a loop step and a dozen lookups a row, than the page's
queries (tests/vouchers/test_tables.py renders the old template's loops and compares)."""

from collections.abc import Iterable

from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import filesizeformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zizhu.lib.addresses import address_of
from zizhu.lib.formats import minute, yuan
from zizhu.vouchers.models import Voucher
from zizhu.vouchers.selectors import ChildTotals, SchoolSums

_ROW = "\n      {}\n    "


def _drill(unit_query: str) -> str:
    """The start of a link to the same page for another unit (`unit=` follows)."""
    return f"?{conditional_escape(unit_query)}&amp;unit=" if unit_query else "?unit="


def _empty(columns: int) -> str:
    text = conditional_escape(_("No vouchers."))
    return _ROW.format(f'<tr><td colspan="{columns}" class="empty">{text}</td></tr>')


def children_html(children: Iterable[ChildTotals], unit_query: str) -> SafeString:
    context = Context()  # `{{ value }}` of the template: localised, then escaped
    drill = _drill(unit_query)
    rows = []
    for row in children:
        code = conditional_escape(row.unit.code)
        figures = "".join(
            f'<td class="num">{render_value_in_context(n, context)}</td>'
            for n in (row.count, row.students)
        )
        rows.append(
            _ROW.format(
                f"<tr><td>{code}</td>"
                f'<td><a href="{drill}{code}">{conditional_escape(row.unit.name)}</a></td>'
                f"<td>{conditional_escape(row.unit.get_level_display())}</td>{figures}"
                f'<td class="num">{conditional_escape(yuan(row.amount))}</td></tr>'
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


def schools_html(schools: Iterable[SchoolSums], limit: int, unit_query: str) -> SafeString:
    """The per-school rows; past `limit` rows, one that says the table stops there."""
    context = Context()
    drill = _drill(unit_query)
    rows = []
    for number, row in enumerate(schools, start=1):
        if number > limit:
            more = _(
                "Only the first %(n)s schools are shown: choose a subordinate unit or filter "
                "by school code."
            ) % {"n": render_value_in_context(limit, context)}
            cell = f'<td colspan="5" class="hint" data-testid="more-schools">{more}</td>'
            rows.append(_ROW.format(f"<tr>{cell}</tr>"))
            continue
        code = conditional_escape(row["unit__code"])
        figures = "".join(
            f'<td class="num">{render_value_in_context(n, context)}</td>'
            for n in (row["count"], row["students_total"])
        )
        rows.append(
            _ROW.format(
                f"<tr><td>{code}</td>"
                f'<td><a href="{drill}{code}">{conditional_escape(row["unit__name"])}</a></td>'
                f'{figures}<td class="num">{conditional_escape(yuan(row["amount_total"]))}</td>'
                "</tr>"
            )
        )
    return mark_safe("".join(rows) or _empty(5))  # noqa: S308 - escaped above


def _files(voucher: Voucher, address) -> str:
    """vouchers/_files.html: the links to the voucher's files, or a dash."""
    links = [
        f'<a href="{address(f.pk)}" '
        f'data-testid="voucher-file">{conditional_escape(f.name)}</a> '
        f'<small class="hint">{conditional_escape(filesizeformat(f.size))}</small>'
        for f in voucher.files.all()
    ]
    return ("<br>".join(links) or "—") + "\n"


def vouchers_html(vouchers: Iterable[Voucher]) -> SafeString:
    context = Context()
    address = address_of("vouchers:file")
    rows = []
    for v in vouchers:
        year, students = (render_value_in_context(n, context) for n in (v.year, v.students))
        rows.append(
            "\n      <tr>\n"
            f"        <td>{conditional_escape(v.unit.name)}</td><td>{year}</td>"
            f"<td>{conditional_escape(v.project.name)}</td>\n"
            f'        <td class="num">{students}</td>'
            f'<td class="num">{conditional_escape(yuan(v.amount))}</td>\n'
            f"        <td>{conditional_escape(v.note)}</td><td>{_files(v, address)}</td>"
            f"<td>{minute(v.created_at)}</td>\n"
            "      </tr>\n    "
        )
    return mark_safe("".join(rows) or _empty(8))  # noqa: S308 - escaped above
