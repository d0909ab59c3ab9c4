"""Reads of findings, always through zizhu.access: the report (filters, counts per risk and per
child unit), the to-do of a school, and the rows of an export. Every function here answers
in a fixed number of queries, whatever the number of findings or child units."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex, Substr
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, can, is_school, scoped, stand_in_user
from zizhu.anomalies.engine import Rule, load_rules
from zizhu.anomalies.models import (
    Finding,
    FindingStatus,
    Programme,
    Risk,
    Run,
    RunStatus,
    Verdict,
)
from zizhu.lib.compiled import (
    STAND_IN_PATH,
    STAND_IN_TEXT,
    STAND_IN_YEAR,
    compiled_rows,
    compiled_sql,
    fetched,
    index_steps,
    prefix,
)
from zizhu.lib.exports import CODE, INTEGER, TEXT, Column, Table, label
from zizhu.lib.periods import Month
from zizhu.units.models import Level, Stage, Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from zizhu.recipients.models import RecipientList

T = TypeVar("T")
# row ids of recipient rows → their full ID numbers (recipients.selectors.id_numbers_for_rows)
IdLookup = Callable[[list[int]], dict[int, str]]

PROGRAMME_URLS: dict[str, str] = {
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
# the columns of `export_findings` (an exchange format: English names and codes, unchanged)
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


def findings_for(user: object, action: Action = Action.VIEW) -> QuerySet[Finding]:
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

    def query(self, **changes: str | int | None) -> str:
        """The filters as a query string, with `changes` applied (None drops a parameter)."""
        values: dict[str, str | int | None] = {
            "month": self.month,
            "risk": self.risk,
            "rule": self.rule or "",
            "status": self.status,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def latest_month_checked() -> str | None:
    """The latest month with a finished run (the month a school's to-do and the key figures
    count). Every school's home page asks twice: its SQL is compiled once and prepared
    (zizhu.lib.compiled); building it cost more than running it."""
    found = compiled_rows(("latest_month_checked",), _latest_month, {}, {})
    return found[0][0] if found else None


def _latest_month() -> "QuerySet[Run, str]":
    done = Run.objects.filter(status=RunStatus.DONE)
    return done.order_by("-month").values_list("month", flat=True)[:1]


# What a findings report's queries are compiled for (zizhu.lib.compiled): the user's scope, the
# unit drilled down to (a path of its own, so that the two are told apart) and each filter's
# value, by the name `risk_counts` gives the call's own.
_UNIT_PATH = STAND_IN_PATH * 2
_FILTER_STAND_INS: dict[str, str | int] = {
    "month": f"{STAND_IN_TEXT}-month",
    "risk": f"{STAND_IN_TEXT}-risk",
    "rule": STAND_IN_YEAR,  # a small positive number no rule has (a rule's field holds it)
    "status": f"{STAND_IN_TEXT}-status",
}


def report_findings(user: object, programme: str, filters: Filters) -> QuerySet[Finding]:
    """The findings report's rows: the user's findings of the programme matching `filters`."""
    return filters.apply(findings_for(user).filter(programme=programme))


def finding_months(user: object, programme: str | None = None) -> list[str]:
    """Months with findings in the user's scope, newest first (one query, compiled once per
    role, level and programme and prepared: zizhu.lib.compiled; a quarter of a deadline day's
    requests are findings pages).

    The centre and a province ask month by month (`_months_asked`): their scope holds most
    findings of every month, and reading each of them for its month took ~120 ms at the
    centre with a year of findings (480,000), a month more every month. Below them a scope
    is a few schools, read through the schools' index, and asking month by month would pass
    a month's findings of the whole country for a month the scope has none."""
    if not can(user, Action.VIEW):
        return []
    by_month = cast(Unit, user.unit).level in (Level.CENTRAL, Level.PROVINCE)

    def build() -> tuple[str, list[object]]:
        findings = findings_for(stand_in_user(user))
        if programme:
            findings = findings.filter(programme=programme)
        if by_month:
            return _months_asked(findings)
        months = findings.order_by("-month").values_list("month", flat=True).distinct()
        sql, params = months.query.sql_with_params()
        return sql, list(params)

    marks = {prefix(STAND_IN_PATH): "scope"}
    values = {"scope": prefix(cast(Unit, user.unit).path)}
    shape = ("finding_months", user.role, by_month, programme)
    sql, params = compiled_sql(shape, build, marks, values)
    months = [row[0] for row in fetched(sql, params, prepared=True)]
    return sorted(months, reverse=True)


def _months_asked(findings: QuerySet[Finding]) -> tuple[str, list[object]]:
    """The months of `findings`, asked month by month: each month of any finding, found by
    one step down the month index, counts if a row of `findings` has it (the first one found
    answers). The row is asked for as a value, not with EXISTS, which PostgreSQL would join
    to the months by reading every row of `findings`."""
    of_candidate = findings.filter(month=RawSQL('"candidate"."value"', []))
    one, params = of_candidate.order_by().values("month")[:1].query.sql_with_params()
    month = cast(str, Finding._meta.get_field("month").column)
    steps = index_steps(Finding._meta.db_table, month)
    found = f'SELECT "value" FROM "candidate" WHERE "value" IS NOT NULL AND ({one}) IS NOT NULL'  # noqa: S608
    return f"WITH RECURSIVE {steps} {found}", list(params)


def risk_counts(user: object, programme: str, filters: Filters, unit: Unit) -> dict[str, int]:
    """The user's findings of the programme at schools below `unit` that match `filters`, per
    risk (the report's `below`; one query, compiled once per role, programme and set of
    filters, and prepared)."""
    if not can(user, Action.VIEW):
        return dict.fromkeys(Risk.values, 0)
    used = tuple(name for name in _FILTER_STAND_INS if getattr(filters, name))

    def build() -> "QuerySet[Finding, tuple[str, int]]":
        stand_in = Filters()
        for name in used:
            setattr(stand_in, name, _FILTER_STAND_INS[name])
        findings = report_findings(stand_in_user(user), programme, stand_in)
        below = findings.filter(school__path__startswith=_UNIT_PATH)
        return below.order_by().values("risk").annotate(n=Count("id")).values_list("risk", "n")

    marks: dict[str | int, str] = {prefix(STAND_IN_PATH): "scope", prefix(_UNIT_PATH): "unit"}
    marks |= {_FILTER_STAND_INS[name]: name for name in used}
    values = {"scope": prefix(cast(Unit, user.unit).path), "unit": prefix(unit.path)}
    values |= {name: getattr(filters, name) for name in used}
    shape = ("risk_counts", user.role, programme, used)
    counts = dict(compiled_rows(shape, build, marks, values))
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


# --- what a page shows of a finding ---------------------------------------------------------

STAGE_OF_KIND = {
    "recipients_higher": _("higher education"),
    "recipients_senior_high": _("senior high school"),
    "recipients_compulsory": _("compulsory education"),
    "recipients_vocational": _("another secondary vocational school"),
    "recipients_technical": _("a technical school"),
    "enrolment_senior_high": _("senior high school"),
    "enrolment_compulsory": _("compulsory education"),
    "enrolment_vocational": _("another secondary vocational school"),
}


@dataclass
class FindingRow:
    """A finding as a page shows it: the student as the user may see them, the counterpart
    school by name and code, and the detail in words."""

    finding: Finding
    rule: Rule | None
    name: str
    id_number: str  # full for the school's own users, masked for everyone else
    full: bool
    grade: str
    major: str
    counterpart: str
    kind: str
    detail: str


def _counterpart_names(findings: list[Finding]) -> dict[str, str]:
    codes = {f.counterpart_school_code for f in findings if f.counterpart_school_code}
    return dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))


def _projects_three_years_ago(findings: list[Finding]) -> dict[tuple[str, int, str], list[str]]:
    """(month, pid, school code) → the 中职 projects the person had at that school three
    school years before the month (one query for the page)."""
    from zizhu.recipients.models import RecipientRow, Status

    wanted = [f for f in findings if f.counterpart_kind == "recipients_vocational_3y"]
    if not wanted:
        return {}
    years = {Month.parse(f.month).school_year - 3 for f in wanted}
    rows = RecipientRow.objects.filter(
        pid__in={f.pid for f in wanted},
        recipient_list__year__in=years,
        recipient_list__school__code__in={f.counterpart_school_code for f in wanted},
        recipient_list__status=Status.APPROVED,
    ).values_list(
        "pid",
        "recipient_list__year",
        "recipient_list__school__code",
        "recipient_list__project__name",
    )
    found: dict[tuple[int, int, str], list[str]] = {}  # (school year, pid, school code)
    for pid, year, code, project in rows.distinct():
        found.setdefault((year, pid, code), []).append(project)
    return {
        (f.month, f.pid, f.counterpart_school_code): sorted(
            found.get((Month.parse(f.month).school_year - 3, f.pid, f.counterpart_school_code), [])
        )
        for f in wanted
    }


def _detail(finding: Finding, rule: Rule | None, school: str, projects: list[str]) -> str:
    check = rule.check if rule else ""
    stage = STAGE_OF_KIND.get(finding.counterpart_kind, "")
    if check == "age_20_or_over":
        return _("Aged %(n)s") % {"n": finding.detail}
    if check == "shared_phone":
        return _("Shares the contact phone with %(n)s other student(s)") % {"n": finding.detail}
    if check == "recipient_elsewhere":
        return _("Aided at %(school)s (%(stage)s) in the same period") % {
            "school": school,
            "stage": stage,
        }
    if check == "enrolled_elsewhere":
        return _("Enrolled at %(school)s (%(stage)s)") % {"school": school, "stage": stage}
    if check == "aided_three_years_ago":
        year = Month.parse(finding.month).school_year - 3
        aid = "、".join(projects) or _("secondary vocational aid")
        return _("Received %(aid)s at %(school)s three years ago (school year %(year)s)") % {
            "aid": aid,
            "school": school,
            "year": year,
        }
    if check == "graduated_senior_high_last_year":
        return _("Graduated from senior high school at %(school)s last year") % {"school": school}
    return finding.detail


def finding_rows(user: object, findings: list[Finding]) -> list[FindingRow]:
    """The page's findings (fetched with `select_related("school", "row")`) as FindingRows,
    in two more queries at most, whatever their number."""
    from zizhu.anomalies.policy import sees_students_in_full

    rules = rules_by_number()
    names = _counterpart_names(findings)
    projects = _projects_three_years_ago(findings)
    result = []
    for f in findings:
        row = f.row
        shown = row if row is not None and sees_students_in_full(user, f.school_id) else None
        code = f.counterpart_school_code
        school = f"{names[code]}（{code}）" if code in names else code
        rule = rules.get(f.rule)
        result.append(
            FindingRow(
                finding=f,
                rule=rule,
                name=row.name if row is not None else "",
                id_number=shown.id_number if shown else f.id_masked,
                full=shown is not None,
                grade=shown.grade if shown else "",
                major=shown.major if shown else "",
                counterpart=school,
                kind=str(COUNTERPART_KINDS.get(f.counterpart_kind, "")),
                detail=_detail(f, rule, school, projects.get((f.month, f.pid, code), [])),
            )
        )
    return result


# --- the lists a run checked ---------------------------------------------------------------


@dataclass
class ListGroup:
    year: int
    term: str
    term_label: "StrOrPromise"
    project: str
    lists: int
    rows: int


def run_list_groups(run: Run) -> list[ListGroup]:
    """The list versions a run checked, per school year, term and project (one query)."""
    from zizhu.recipients.models import RecipientList, Term

    rows = (
        RecipientList.objects.filter(check_runs=run)
        .order_by("-year", "term", "project__code")
        .values("year", "term", "project__name")
        .annotate(lists=Count("id"), rows_total=Sum("row_count"))
    )
    return [
        ListGroup(
            r["year"],
            r["term"],
            Term(r["term"]).label,
            r["project__name"],
            r["lists"],
            r["rows_total"],
        )
        for r in rows
    ]


def run_list_versions(run: Run) -> "QuerySet[RecipientList]":
    """The list versions a run checked, one row each, with their school and project."""
    from zizhu.recipients.models import RecipientList

    return (
        RecipientList.objects.filter(check_runs=run)
        .select_related("school", "project", "reviewed_by")
        .order_by("-year", "term", "school__code", "project__code", "batch")
    )


# --- the to-do of a school ------------------------------------------------------------------


@dataclass
class TodoRule:
    rule: Rule
    count: int
    url: str


@dataclass
class TodoLevel:
    risk: str
    label: "StrOrPromise"
    per_programme: "list[tuple[StrOrPromise, int, str]]"  # (programme label, count, url)
    rules: list[TodoRule]

    @property
    def total(self) -> int:
        return sum(n for _, n, _ in self.per_programme)


@dataclass
class Todo:
    month: str
    levels: list[TodoLevel]


def todo_for(user: object) -> Todo | None:
    """A school user's open findings of the latest month checked (the latest month with a
    successful run), per risk level and rule, each with the link to the filtered findings (two
    queries); None when there are none."""
    if not is_school(user) or user.unit_id is None:
        return None
    month = latest_month_checked()
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
        per_programme: list[tuple[StrOrPromise, int, str]] = []
        for programme, programme_label in Programme.choices:
            n = sum(v for (r, p, _), v in counts.items() if r == risk and p == programme)
            if n:
                shown: dict[str, str] = {"month": month, "risk": risk, "status": FindingStatus.OPEN}
                query = urlencode(shown)
                url = f"{reverse(PROGRAMME_URLS[programme])}?{query}"
                per_programme.append((programme_label, n, url))
        level_rules = []
        for (r, programme, number), n in sorted(counts.items(), key=lambda item: item[0][2]):
            if r == risk:
                chosen: dict[str, str | int] = {
                    "month": month,
                    "rule": number,
                    "status": FindingStatus.OPEN,
                }
                query = urlencode(chosen)
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
    id_numbers: IdLookup | None = None,
    missing: list[int] | None = None,
    limit: int | None = None,
) -> Iterator[list[object]]:
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


EXPORT_KINDS = [TEXT, INTEGER, TEXT, TEXT, CODE, CODE, CODE, TEXT, TEXT]


def exchange_table(
    findings: QuerySet[Finding],
    id_numbers: IdLookup | None = None,
    missing: list[int] | None = None,
) -> Table:
    """The file `export_findings` writes: EXPORT_HEADER, codes as they are stored."""
    columns = [Column(h, k) for h, k in zip(EXPORT_HEADER, EXPORT_KINDS, strict=True)]
    return Table(columns, export_rows(findings, id_numbers, missing), sheet="findings")


def export_columns() -> list[Column]:
    return [
        Column(_("Month")),
        Column(_("Rule number"), INTEGER),
        Column(_("Rule")),
        Column(_("Risk level")),
        Column(_("Aid project")),
        Column(_("School code"), CODE),
        Column(_("School")),
        Column(_("Student name")),
        Column(_("ID number"), CODE),
        Column(_("Compared with")),
        Column(_("Compared data")),
        Column(_("Finding")),
        Column(_("Status")),
        Column(_("Verdict")),
        Column(_("Explanation")),
        Column(_("Review comment")),
    ]


def export_table(user: object, findings: QuerySet[Finding], limit: int) -> Table:
    """The findings as people download them: Chinese labels, the rule's name, the school's
    name, the student's name as `policy.exported_student_name` allows (ID numbers always
    masked), the status and the school's explanation with its review."""
    ordered = findings.select_related("school", "row").order_by(
        "month", "rule", "school__code", "pid", "counterpart_school_code", "id"
    )
    return Table(export_columns(), _export_rows(user, ordered[:limit]), sheet=_("Findings"))


def _export_rows(user: object, findings: QuerySet[Finding]) -> Iterator[list[object]]:
    from zizhu.anomalies.models import Explanation
    from zizhu.anomalies.policy import exported_student_name

    for chunk in _chunks(findings.iterator(chunk_size=CHUNK), CHUNK):
        shown = finding_rows(user, chunk)
        months = {f.month for f in chunk}
        schools = {f.school_id for f in chunk}
        explained = {
            (e.month, e.rule, e.school_id, e.pid, e.counterpart_school_code): e
            for e in Explanation.objects.filter(month__in=months, school_id__in=schools)
        }
        for row in shown:
            f = row.finding
            note = explained.get(f.identity)
            yield [
                f.month,
                f.rule,
                row.rule.name_zh if row.rule else "",
                label(Risk, f.risk),
                label(Programme, f.programme),
                f.school.code,
                f.school.name,
                exported_student_name(user, f.school_id, row.name),
                f.id_masked,
                row.counterpart,
                row.kind,
                str(row.detail),
                label(FindingStatus, f.status),
                label(Verdict, note.verdict) if note else "",
                note.note if note else "",
                note.comment if note else "",
            ]


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
