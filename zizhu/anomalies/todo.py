"""The anomaly lines of a home page's to-do, and the open high-risk findings as a key figure.

- the school's operator: open findings of the latest month checked, per programme;
- the school's reviewer: the school's explanations awaiting the authority's review;
- an authority operator: explanations to review in its scope, per month and programme.
Each count is the findings page (异常信息查看) with the filters of its link."""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import is_authority_operator, is_school_operator, is_school_reviewer
from zizhu.anomalies.models import FindingStatus, Programme, Risk
from zizhu.anomalies.selectors import PROGRAMME_URLS, findings_for, latest_month_checked
from zizhu.lib.todo import KeyFigure, TodoLine


def _lines(findings, label, **filters) -> list[TodoLine]:
    rows = (
        findings.filter(**filters)
        .order_by()
        .values("month", "programme")
        .annotate(n=Count("pk"))
        .order_by("-month", "programme")
    )
    return [
        TodoLine(
            label % {"programme": Programme(r["programme"]).label, "month": r["month"]},
            r["n"],
            reverse(PROGRAMME_URLS[r["programme"]])
            + "?"
            + urlencode({"month": r["month"], "status": filters["status"]}),
        )
        for r in rows
    ]


def anomalies_todo(user) -> list[TodoLine]:
    findings = findings_for(user)
    if is_school_operator(user):
        month = latest_month_checked()
        if month is None:
            return []
        label = _("Findings to explain (%(programme)s, %(month)s)")
        return _lines(
            findings.filter(school_id=user.unit_id), label, month=month, status=FindingStatus.OPEN
        )
    if is_school_reviewer(user):
        label = _("Explanations awaiting the authority's review (%(programme)s, %(month)s)")
        return _lines(
            findings.filter(school_id=user.unit_id), label, status=FindingStatus.EXPLAINED
        )
    if is_authority_operator(user):
        label = _("Explanations to review (%(programme)s, %(month)s)")
        return _lines(findings, label, status=FindingStatus.EXPLAINED)
    return []


def open_high_risk(user) -> list[KeyFigure]:
    """Open high-risk findings of the latest month checked in the user's scope, per programme
    (one query)."""
    month = latest_month_checked()
    if month is None:
        return []
    filters = {"month": month, "risk": Risk.HIGH, "status": FindingStatus.OPEN}
    counts = dict(
        findings_for(user)
        .filter(**filters)
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values_list("programme", "n")
    )
    return [
        KeyFigure(
            _("Open high-risk findings (%(programme)s, %(month)s)")
            % {"programme": label, "month": month},
            str(counts.get(programme, 0)),
            reverse(PROGRAMME_URLS[programme]) + "?" + urlencode(filters),
            tone="high" if counts.get(programme) else "",
        )
        for programme, label in Programme.choices
    ]
