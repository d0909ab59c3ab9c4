"""Reads of 资金填报详情: the filings of a category in the user's scope, with their money
figures annotated by subqueries (a fixed number of queries per page), and one filing's record."""

from dataclasses import dataclass

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode

from zizhu.access import Action, can, scoped, scoped_by_path, stand_in_user
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.selectors import province_code, reported_projects
from zizhu.fundreports.models import SchoolBalanceTotal
from zizhu.funds.models import (
    ALLOCATION_TOTAL,
    MONEY,
    ZERO,
    Allocation,
    Balance,
    Filing,
    SourceLevel,
)
from zizhu.lib.compiled import (
    STAND_IN_IDS,
    STAND_IN_PATH,
    STAND_IN_TEXT,
    STAND_IN_YEAR,
    compiled_sql,
    compiled_values,
    fetched,
    fields_of,
    index_steps,
    instances,
    prefix,
)
from zizhu.units.models import Level, Unit

AMOUNT = DecimalField(**MONEY)


def filings_for(user, category: str, action: Action = Action.VIEW) -> QuerySet[Filing]:
    """Filings of the category whose unit lies in the user's scope."""
    return scoped(Filing.objects.filter(project__category=category), user, action)


def _allocation_sum(direction: str):
    rows = (
        Allocation.objects.filter(**{direction: OuterRef("pk")})
        .order_by()
        .values(direction)
        .annotate(total=Sum(ALLOCATION_TOTAL, output_field=AMOUNT))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)


def with_figures(filings: QuerySet[Filing]) -> QuerySet[Filing]:
    """`received` (Σ incoming allocations) and `allocated` (Σ outgoing) on every row."""
    return filings.select_related("unit", "project").annotate(
        received=_allocation_sum("to_filing"), allocated=_allocation_sum("from_filing")
    )


@dataclass
class Filters:
    year: int | None = None
    project: int | None = None
    level: str = ""
    status: str = ""

    def apply(self, filings: QuerySet[Filing]) -> QuerySet[Filing]:
        lookups = {
            "year": self.year,
            "project_id": self.project,
            "unit__level": self.level,
            "status": self.status,
        }
        return filings.filter(**{k: v for k, v in lookups.items() if v})

    def query(self) -> str:
        values = {
            "year": self.year,
            "project": self.project,
            "level": self.level,
            "status": self.status,
        }
        return urlencode({k: v for k, v in values.items() if v})


def _in_scope_parts(user, category: str, **lookups) -> list[QuerySet]:
    """The category's filings in the user's scope, in parts that never read every school's
    filing: the filings of authorities, those of the user's own unit, and the school filings
    through their per-authority totals (rollups.py: every school filing has balance rows
    there). The explicit "not a school" lets PostgreSQL read authorities through their
    partial index."""
    filings = filings_for(user, category).filter(**lookups).order_by()
    authorities = filings.exclude(unit__level=Level.SCHOOL)
    own = filings.filter(unit=user.unit_id)
    totals = SchoolBalanceTotal.objects.filter(project__category=category, **lookups)
    schools = scoped_by_path(totals, user, Action.VIEW, "authority_path").order_by()
    return [authorities, own, schools]


def _in_scope_query(user, category: str, field: str, **lookups) -> QuerySet:
    """Distinct values of `field` ("year" or "project_id") over `_in_scope_parts`: their
    definition, read whole (the plain form `_in_scope` answers as)."""
    first, *rest = (
        part.values_list(field, flat=True) for part in _in_scope_parts(user, category, **lookups)
    )
    return first.union(*rest)


def _years_asked(user, category: str) -> tuple[str, list]:
    """`_in_scope_query`'s years asked year by year: for each year of any filing, whether a
    part has a row of it in the user's scope. Each question stops at the first row found, so
    the query reads a few index entries a year where the union reads every row in scope:
    the centre's 27,751 for one year, a year more every year."""
    asked, params = [], []
    of_candidate = {"year": RawSQL('"candidate"."value"', [])}
    for part in _in_scope_parts(user, category, **of_candidate):
        part_sql, part_params = part.values("year").query.sql_with_params()
        asked.append(f"EXISTS ({part_sql})")
        params += part_params
    # the SQL is Django's for the parts; the values are parameters
    found = 'SELECT "value" FROM "candidate" WHERE "value" IS NOT NULL'
    return (
        f"WITH RECURSIVE {index_steps(Filing._meta.db_table, 'year')} {found}"
        f" AND ({' OR '.join(asked)})",
        params,
    )


def _in_scope(user, category: str, field: str, year: int | None = None) -> list[int]:
    """`_in_scope_query`'s values (of `year` when given), the query compiled once per shape
    (zizhu.lib.compiled): building and compiling its parts cost more than running them. The
    years of the centre and a province are asked year by year (`_years_asked`, prepared:
    its plan costs more than its run); below them a scope is small and read whole."""
    lookups = {} if year is None else {"year": year}
    if not can(user, Action.VIEW):
        return list(_in_scope_query(user, category, field, **lookups))
    by_year = field == "year" and user.unit.level in (Level.CENTRAL, Level.PROVINCE)

    def build() -> tuple[str, list]:
        stand_in = stand_in_user(user)
        if by_year:
            return _years_asked(stand_in, category)
        of_year = {} if year is None else {"year": STAND_IN_YEAR}
        return _in_scope_query(stand_in, category, field, **of_year).query.sql_with_params()

    marks = {prefix(STAND_IN_PATH): "scope", STAND_IN_IDS[0]: "unit"}
    values = {"scope": prefix(user.unit.path), "unit": user.unit_id}
    if year is not None:
        marks[STAND_IN_YEAR], values["year"] = "year", year
    shape = ("in_scope", user.role, category, field, year is None, by_year)
    sql, params = compiled_sql(shape, build, marks, values)
    return [row[0] for row in fetched(sql, params, prepared=by_year)]


def years_in_scope(user, category: str) -> list[int]:
    """Years with filings of the category in the user's scope, newest first (one query)."""
    return sorted(_in_scope(user, category, "year"), reverse=True)


def projects_in_scope(user, category: str, year: int) -> set[int]:
    """The projects with filings of the category in `year` in the user's scope (one query)."""
    return set(_in_scope(user, category, "project_id", year=year))


def category_projects(category: str, unit: Unit | None = None) -> list[AidProject]:
    """The category's projects; with `unit`, only those its reports may name (another
    province's own local projects are not)."""
    if unit is None:
        return list(AidProject.objects.filter(category=category).order_by("stage", "code"))
    # compiled once per shape (zizhu.lib.compiled): the unit's province is its one value
    province = province_code(unit)

    def build() -> QuerySet:
        stand_in = Unit(path=STAND_IN_PATH if province is None else STAND_IN_PATH * 2)
        projects = reported_projects(stand_in, category).order_by("stage", "code")
        return projects.values(*fields_of(AidProject))

    marks, values = {}, {}
    if province is not None:
        marks, values = {STAND_IN_TEXT: "province"}, {"province": province}
    rows = compiled_values(("category_projects", category, province is None), build, marks, values)
    return instances(AidProject, rows)


def document_url(filing: Filing) -> str:
    """The download address of the filing's PDF; "" when it has none."""
    return reverse("funds:filing_document", args=[filing.pk]) if filing.document else ""


@dataclass
class Record:
    """Everything 资金填报详情 shows about one filing."""

    filing: Filing
    balances: list[Balance]
    allocations_in: list[Allocation]
    allocations_out: list[Allocation]
    document_url: str

    @property
    def received(self):
        return sum((a.total for a in self.allocations_in), ZERO)

    @property
    def allocated(self):
        return sum((a.total for a in self.allocations_out), ZERO)


def filing_record(filing: Filing) -> Record:
    """The filing's balances per source level and its allocations in and out (three queries;
    a filing has a handful of allocations, one per act of 下拨)."""
    order = {level: i for i, level in enumerate(SourceLevel.values)}
    balances = sorted(filing.balances.all(), key=lambda b: order.get(b.source_level, 9))
    incoming = list(
        filing.allocations_in.select_related("from_filing__unit", "receipt").order_by("pk")
    )
    outgoing = list(
        filing.allocations_out.select_related("to_filing__unit", "receipt").order_by("pk")
    )
    return Record(filing, balances, incoming, outgoing, document_url(filing))
