"""Reads of findings, always through zizhu.access: the report (filters, counts per risk and per
child unit), the to-do of a school, and the rows of an export. Every function here answers
in a fixed number of queries, whatever the number of findings or child units."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, scoped
from zizhu.anomalies.engine import Rule, load_rules
from zizhu.anomalies.models import Finding, FindingStatus, Programme, Risk, Run, RunStatus
from zizhu.units.models import Level, Stage, Unit

PROGRAMME_URLS = {
    Programme.TUITION_WAIVER: "anomalies:tuition_waiver",
    Programme.NATIONAL_GRANT: "anomalies:national_grant",
}
DETAIL_URLS = {
    Programme.TUITION_WAIVER: "anomalies:tuition_waiver_finding",
    Programme.NATIONAL_GRANT: "anomalies:national_grant_finding",
}
COUNTERPART_KINDS = {
    "recipients_higher": _("Higher-education recipients"),
    "recipients_senior_high": _("Senior-high recipients"),
    "recipients_compulsory": _("Compulsory-education recipients"),
    "recipients_vocational": _("Recipients of another secondary vocational school"),
    "recipients_technical": _("Technical-school recipients"),
    "enrolment_senior_high": _("Senior-high enrolment"),
    "enrolment_compulsory": _("Compulsory-education enrolment"),
    "enrolment_vocational": _("Enrolment at another secondary vocational school"),
    "recipients_vocational_3y": _("Secondary vocational recipients three years ago"),
    "graduates_senior_high": _("Last year's senior-high graduates"),
}
EXPORT_HEADER = [
    "month",
    "rule",
    "risk",
    "programme",
    "school_code",
    "id_number",
    "counterpart_school_code",
    "counterpart_kind",
    "detail",
]


def rules_by_number() -> dict[int, Rule]:
    return {rule.number: rule for rule in load_rules()}


def programme_rules(programme: str) -> list[Rule]:
    return [rule for rule in load_rules() if rule.programme == programme]


def findings_for(user, action: Action = Action.VIEW) -> QuerySet[Finding]:
    """Findings at the schools in the user's scope."""
    return scoped(Finding.objects.all(), user, action, "school")


@dataclass
class Filters:
    month: str = ""
    risk: str = ""
    rule: int | None = None
    status: str = ""

    def apply(self, findings: QuerySet[Finding]) -> QuerySet[Finding]:
        lookups = {
            "month": self.month,
            "risk": self.risk,
            "rule": self.rule,
            "status": self.status,
        }
        return findings.filter(**{k: v for k, v in lookups.items() if v})

    def query(self, **changes) -> str:
        """The filters as a query string, with `changes` applied (None drops a parameter)."""
        values = {
            "month": self.month,
            "risk": self.risk,
            "rule": self.rule or "",
            "status": self.status,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def finding_months(user, programme: str | None = None) -> list[str]:
    """Months with findings in the user's scope, newest first (one query)."""
    findings = findings_for(user)
    if programme:
        findings = findings.filter(programme=programme)
    return list(findings.order_by("-month").values_list("month", flat=True).distinct())


def counts_by_risk(findings: QuerySet[Finding]) -> dict[str, int]:
    rows = findings.order_by().values("risk").annotate(n=Count("id"))
    counts = {row["risk"]: row["n"] for row in rows}
    return {risk: counts.get(risk, 0) for risk in Risk.values}


@dataclass
class ChildCounts:
    unit: Unit
    risks: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.risks.values())

    @property
    def per_risk(self) -> list[int]:
        return [self.risks.get(risk, 0) for risk in Risk.values]


def counts_by_child(unit: Unit, findings: QuerySet[Finding]) -> list[ChildCounts]:
    """Each child unit of `unit` (authorities and 中职 schools: only those have findings) with
    its subtree's findings per risk: two queries, one for the children and one grouped by the
    child's code cut out of the school's path."""
    children = list(
        unit.children.filter(~Q(level=Level.SCHOOL) | Q(stage=Stage.VOCATIONAL)).order_by(
            "level", "code"
        )
    )
    offset = len(unit.path) + 1
    rest = Substr("school__path", offset)
    rows = (
        findings.filter(school__path__startswith=unit.path)
        .annotate(child=Substr("school__path", offset, StrIndex(rest, Value("/")) - 1))
        .order_by()
        .values("child", "risk")
        .annotate(n=Count("id"))
    )
    per_child: dict[str, dict[str, int]] = {}
    for row in rows:
        per_child.setdefault(row["child"], {})[row["risk"]] = row["n"]
    return [ChildCounts(child, per_child.get(child.code, {})) for child in children]


# --- the to-do of a school ------------------------------------------------------------------


@dataclass
class TodoRule:
    rule: Rule
    count: int
    url: str


@dataclass
class TodoLevel:
    risk: str
    label: str
    per_programme: list[tuple[str, int, str]]  # (programme label, count, url)
    rules: list[TodoRule]

    @property
    def total(self) -> int:
        return sum(n for _, n, _ in self.per_programme)


@dataclass
class Todo:
    month: str
    levels: list[TodoLevel]


def todo_for(user) -> Todo | None:
    """A school user's open findings of the latest month checked (the latest month with a
    successful run), per risk level and rule, each with the link to the filtered findings (two
    queries); None when there are none."""
    if not user.is_school_user or user.unit_id is None:
        return None
    month = Run.objects.filter(status=RunStatus.DONE).aggregate(latest=Max("month"))["latest"]
    if month is None:
        return None
    own = findings_for(user).filter(school_id=user.unit_id)
    rows = (
        own.filter(month=month, status=FindingStatus.OPEN)
        .order_by()
        .values("risk", "programme", "rule")
        .annotate(n=Count("id"))
    )
    counts = {(row["risk"], row["programme"], row["rule"]): row["n"] for row in rows}
    if not counts:
        return None
    rules = rules_by_number()
    levels = []
    for risk, risk_label in Risk.choices:
        per_programme = []
        for programme, programme_label in Programme.choices:
            n = sum(v for (r, p, _), v in counts.items() if r == risk and p == programme)
            if n:
                query = urlencode({"month": month, "risk": risk, "status": FindingStatus.OPEN})
                url = f"{reverse(PROGRAMME_URLS[programme])}?{query}"
                per_programme.append((programme_label, n, url))
        level_rules = []
        for (r, programme, number), n in sorted(counts.items(), key=lambda item: item[0][2]):
            if r == risk:
                query = urlencode({"month": month, "rule": number, "status": FindingStatus.OPEN})
                url = f"{reverse(PROGRAMME_URLS[programme])}?{query}"
                level_rules.append(TodoRule(rules[number], n, url))
        if level_rules:
            levels.append(TodoLevel(risk, risk_label, per_programme, level_rules))
    return Todo(month, levels)


# --- exports --------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "month",
    "rule",
    "risk",
    "programme",
    "school__code",
    "id_masked",
    "counterpart_school_code",
    "counterpart_kind",
    "detail",
    "row_id",
)
CHUNK = 5000


def export_rows(
    findings: QuerySet[Finding],
    id_numbers=None,
    missing: list | None = None,
    limit: int | None = None,
) -> Iterator[list]:
    """The rows of EXPORT_HEADER (at most `limit`), read in chunks. `id_numbers(row_ids) ->
    {row_id: id}` gives the full ID numbers of an unmasked export; rows it cannot resolve keep
    the masked value and their row_id is appended to `missing`."""
    ordered = findings.order_by(
        "month", "rule", "school__code", "pid", "counterpart_school_code"
    ).values_list(*EXPORT_FIELDS)
    rows = (ordered[:limit] if limit else ordered).iterator(chunk_size=CHUNK)
    for chunk in _chunks(rows, CHUNK):
        full = id_numbers([row[-1] for row in chunk]) if id_numbers else {}
        for row in chunk:
            values = list(row[:-1])
            if id_numbers:
                if row[-1] in full:
                    values[5] = full[row[-1]]
                elif missing is not None:
                    missing.append(row[-1])
            yield values


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
