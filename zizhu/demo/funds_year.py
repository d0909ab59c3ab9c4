"""A complete past year of aid funds: filings, allocations down the tree with the cost-sharing
split, deadlines, receipts, vouchers, school and social aid — for the demo province, and at
national scale for bench/funds_bench.py.

The year is in the past, so its rows are written as they stand at the end of it: statuses,
submission and arrival times are set directly (the services stamp "now" and refuse arrival
dates in the future), built in memory from one plan and inserted in a few bulk statements.
The money follows the ledger's rules all the same: every level's money comes from the payer of
that level (central 80 %, province 10 %, prefecture 5 %, county 5 % of a jointly funded
school's total in a tier-1 province; a missing level's share is paid by the level above) and
nothing is allocated twice; `ledger_discrepancies()` must be empty afterwards. Amounts are
kept in integer fen while planning (exact) and written as two-place Decimals.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from zizhu.accounts.models import User
from zizhu.accounts.roles import Role
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject, Category
from zizhu.demo.voucher_files import demo_voucher_files
from zizhu.funds.ledger import LEVELS, ledger_discrepancies
from zizhu.funds.models import Allocation, Balance, Deadline, Filing, FilingStatus, Receipt
from zizhu.lib.bulk import insert_rows
from zizhu.units.models import Level, Unit
from zizhu.vouchers.models import Voucher

# unit level → the source level it pays, and back
PAYS = {Level.CENTRAL: "central", Level.PROVINCE: "provincial"}
PAYS |= {Level.PREFECTURE: "prefectural", Level.COUNTY: "county"}
PAYER = {level: unit_level for unit_level, level in PAYS.items()}
JOINT = {"central": 80, "provincial": 10, "prefectural": 5, "county": 5}  # % of a school's total
LOCAL = {"central": 0, "provincial": 50, "prefectural": 25, "county": 25}
# the deadline an authority sets for its children, and when it allocates down (month, days)
DEADLINE = {Level.CENTRAL: (3, 31), Level.PROVINCE: (4, 30)}
DEADLINE |= {Level.PREFECTURE: (5, 31), Level.COUNTY: (6, 30)}
ALLOCATES = {Level.CENTRAL: 1, Level.PROVINCE: 2, Level.PREFECTURE: 3, Level.COUNTY: 4}
ENROLMENT = {"vocational": (300, 3000), "senior_high": (600, 4000), "compulsory": (200, 2000)}
ENROLMENT |= {"preschool": (100, 600), "special": (50, 300), "higher": (3000, 20000)}
# the demo's schools are small, so that every aided student can be on a recipient list of the
# demo's database without making its load slow
DEMO_ENROLMENT = {"vocational": (40, 160), "senior_high": (60, 300), "compulsory": (40, 200)}
DEMO_ENROLMENT |= {"preschool": (40, 160), "special": (20, 80), "higher": (300, 1200)}


@dataclass(frozen=True)
class Plan:
    """A project allocated down to every school of its stage: students aided are the school's
    enrolment × a coverage drawn in `coverage` (%), each at `per_student` yuan a year."""

    code: str
    per_student: int
    coverage: tuple[int, int]
    shares: dict[str, int] = field(default_factory=lambda: JOINT)


# the school and social aid projects of each stage the demo files (catalogue_data/aid_projects.csv)
SCHOOL_AID = "{stage}_school_hardship"
SOCIAL_AID = "{stage}_social_scholarship"

DEMO_PLANS = (
    Plan("vocational_national_grant", 2300, (15, 30)),
    Plan("vocational_tuition_waiver", 2000, (85, 98)),
    Plan("senior_high_national_grant", 2300, (12, 25)),
    Plan("preschool_local_grant", 1000, (8, 15), LOCAL),
)


@dataclass(frozen=True)
class Node:
    id: int
    code: str
    parent_id: int | None
    level: str
    stage: str
    path: str
    name: str


@dataclass
class Outcome:
    """Shares of filings that end on time / late (the rest are missing), of receipts and of
    schools with vouchers; `lagging` schools are never allocated to (no filing at all)."""

    on_time: float = 0.82
    late: float = 0.08
    receipt: float = 0.9
    voucher: float = 0.75
    lagging: float = 0.03
    school_aid: float = 0.3
    social_aid: float = 0.12


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _db(value):
    """Datetimes as the backend stores them (SQLite: naive UTC text), other values as they are."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


class YearBuilder:
    """Rows of one year, planned in memory (one pass over the units), then inserted in bulk."""

    def __init__(
        self,
        nodes: list[Node],
        year: int,
        seed: int,
        outcome: Outcome,
        enrolment: dict[str, tuple[int, int]] = ENROLMENT,
        aided: dict[tuple[int, int], int] | None = None,
    ):
        self.nodes = {n.id: n for n in nodes}
        self.by_code = {n.code: n for n in nodes}
        self.year, self.outcome = year, outcome
        self.rng = random.Random(f"funds-{seed}-{year}")  # noqa: S311 - synthetic data
        self.enrolment = {
            n.id: self.rng.randint(*enrolment.get(n.stage, (100, 1000)))
            for n in nodes
            if n.level == Level.SCHOOL
        }
        # (school id, project id) → students aided, given for the projects whose students are
        # known (the demo's recipient lists); other projects draw enrolment × coverage
        self.aided = aided or {}
        self.aided_projects = {project for _, project in self.aided}
        self.filings: dict[tuple[int, int], dict] = {}  # (unit id, project id) → fields
        self.edges: dict[tuple[int, int, int], list[int]] = {}  # (project, from, to) → fen
        self.own: dict[tuple[int, int], int] = defaultdict(int)
        self.deadline_setters: set[tuple[int, int]] = set()
        self.vouchers: list[tuple] = []
        self.students: dict[tuple[int, int], int] = {}  # (school, project) → aided students
        self.edge_dates: dict[tuple[int, int], date] = {}  # (receiver, project) → allocated on

    def day(self, month: int, lo: int = 3, hi: int = 25) -> date:
        return date(self.year, month, self.rng.randint(lo, hi))

    def chain(self, school: Node) -> list[Node]:
        return [self.by_code[c] for c in school.path.split("/")[:-2] if c]

    def plan_project(self, project: AidProject, plan: Plan) -> None:
        for node in self.nodes.values():
            if node.level != Level.SCHOOL or project.stage not in ("any", node.stage):
                continue
            count = self.enrolment[node.id] * self.rng.randint(*plan.coverage) // 100
            if project.pk in self.aided_projects:
                count = self.aided.get((node.id, project.pk), 0)
            if count:
                self.plan_school(project, plan, node, count)

    def plan_school(self, project: AidProject, plan: Plan, school: Node, count: int) -> None:
        total = count * plan.per_student * 100
        chain = self.chain(school)
        present = {n.level for n in chain}
        fen: dict[str, int] = {}
        carry = 0  # the share of a level missing from the chain is paid by the level above
        for level in reversed(LEVELS):
            share = plan.shares[level] * total // 100 + carry
            carry = 0 if PAYER[level] in present else share
            if PAYER[level] in present and share:
                fen[level] = share
        top = next(level for level in LEVELS if level in fen)
        fen[top] += total - sum(fen.values())
        chain = chain[next(i for i, n in enumerate(chain) if n.level == PAYER[top]) :]
        lagging = self.rng.random() < self.outcome.lagging
        paid = [0, 0, 0, 0]  # what the units so far put in, by source level
        for i, payer in enumerate(chain):
            own = fen.get(PAYS[payer.level], 0)
            self.own[(payer.id, project.pk)] += own
            paid[LEVELS.index(PAYS[payer.level])] += own
            receiver = chain[i + 1] if i + 1 < len(chain) else school
            if receiver is school and lagging:
                return
            amounts = self.edges.setdefault((project.pk, payer.id, receiver.id), [0, 0, 0, 0])
            for j in range(4):
                amounts[j] += paid[j]
        self.students[(school.id, project.pk)] = count

    # --- filings, in tree order: a payer's filing is planned before its children's ---------

    def plan_filings(self, projects: dict[int, AidProject]) -> None:
        dates = {key: self.day(ALLOCATES[self.nodes[key[1]].level]) for key in self.edges}
        incoming = {(to, pid): (frm, dates[(pid, frm, to)]) for pid, frm, to in self.edges}
        units = {(frm, pid) for pid, frm, _ in self.edges} | set(incoming)
        for unit_id, pid in sorted(units, key=lambda k: (k[1], self.nodes[k[0]].path)):
            node, project = self.nodes[unit_id], projects[pid]
            parent, arrived = incoming.get((unit_id, pid), (None, None))
            if parent is None:  # the top payer: its document opens the year
                opened = date(self.year - 1, 11, self.rng.randint(1, 28))
                self.filing(node, project, opened, None, status=FilingStatus.SUBMITTED)
                self.filings[(unit_id, pid)]["submitted_at"] = _at(opened, 16)
                continue
            self.filing(node, project, arrived, self.nodes[parent])
            self.edge_dates[(unit_id, pid)] = arrived

    def filing(self, node: Node, project: AidProject, opened: date, parent, status=None) -> None:
        fields = {"created_at": _at(opened, 9), "status": status or FilingStatus.DRAFT}
        if node.level != Level.SCHOOL:
            n = self.rng.randint(10, 300)
            prefix = "财教" if node.level == Level.CENTRAL else f"{node.name[:2]}财教"
            fields |= {
                "doc_number": f"{prefix}〔{opened.year}〕{n}号",
                "doc_date": opened,
                "doc_title": f"关于下达{self.year}年{project.name}资金的通知",
            }
        if parent is not None:
            self.deadline_setters.add((parent.id, project.pk))
            fields |= self.outcome_of(node, opened, self.deadline(parent))
        self.filings[(node.id, project.pk)] = fields

    def deadline(self, setter: Node) -> date:
        return date(self.year, *DEADLINE[setter.level])

    def outcome_of(self, node: Node, opened: date, due: date) -> dict:
        draw = self.rng.random()
        if draw < self.outcome.on_time:
            days = self.rng.randint(1, max(1, (due - opened).days - 1))
            return {"status": FilingStatus.SUBMITTED, "submitted_at": _at(opened, 15) + days * DAY}
        if draw < self.outcome.on_time + self.outcome.late:
            days = self.rng.randint(1, 45)
            return {"status": FilingStatus.SUBMITTED, "submitted_at": _at(due, 15) + days * DAY}
        if node.level != Level.SCHOOL:
            return {"status": FilingStatus.DRAFT}
        status = self.rng.choice([FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED])
        comment = "请核对资助人数和金额后重新提交" if status == FilingStatus.RETURNED else ""
        return {"status": status, "review_comment": comment}

    def plan_school_funds(
        self, school_aid: dict[str, AidProject], social_aid: dict[str, AidProject]
    ) -> None:
        """School and social aid at a share of schools, one project of the school's stage each
        (`school_aid` and `social_aid` by stage)."""
        for node in self.nodes.values():
            if node.level != Level.SCHOOL:
                continue
            parent = self.nodes[node.parent_id]
            for project, share in (
                (school_aid.get(node.stage), self.outcome.school_aid),
                (social_aid.get(node.stage), self.outcome.social_aid),
            ):
                if project is None or self.rng.random() >= share:
                    continue
                self.filing(node, project, self.day(self.rng.randint(2, 3)), parent)
                other = self.rng.choice([None, self.rng.randint(1, 40) * 50_000])
                main = "school_funds" if project.category == Category.SCHOOL else "social_funds"
                self.filings[(node.id, project.pk)] |= {
                    main: _yuan(self.rng.randint(2, 60) * 100_000),
                    "other_funds": None if other is None else _yuan(other),
                }

    # --- receipts and vouchers --------------------------------------------------------------

    def plan_receipts(self) -> dict[tuple[int, int], tuple[date, datetime]]:
        receipts = {}
        for key, sent in sorted(self.edge_dates.items()):
            filed = self.filings[key].get("submitted_at") is not None
            if self.rng.random() < self.outcome.receipt * (1 if filed else 0.5):
                arrival = sent + timedelta(days=self.rng.randint(2, 20))
                receipts[key] = (arrival, _at(arrival, 10) + self.rng.randint(0, 5) * DAY)
        return receipts

    def plan_vouchers(self, receipts: dict, received: dict, national: set[int]) -> None:
        """Vouchers (national aid only) at schools that filed and confirmed receipt."""
        for (unit_id, pid), count in sorted(self.students.items()):
            key = (unit_id, pid)
            filed = self.filings[key].get("submitted_at") is not None
            if pid not in national or key not in receipts or not filed:
                continue
            if self.rng.random() >= self.outcome.voucher:
                continue
            paid = sum(received[key]) * self.rng.randint(90, 100) // 100
            spring = paid // 2
            for amount, month, note in (
                (spring, 6, "春季学期发放"),
                (paid - spring, 12, "秋季学期发放"),
            ):
                if amount > 0:
                    created = _at(self.day(month), 11)
                    self.vouchers.append(
                        (unit_id, self.year, pid, count, _yuan(amount), note, created)
                    )


DAY = timedelta(days=1)
FILING_COLUMNS = [
    "unit",
    "year",
    "project",
    "doc_number",
    "doc_date",
    "doc_title",
    "own_funds",
    "school_funds",
    "other_funds",
    "social_funds",
    "document",
    "document_name",
    "status",
    "submitted_at",
    "review_comment",
    "unlocked_until",
    "version",
    "created_at",
    "updated_at",
]


def _filing_row(b: "YearBuilder", key: tuple[int, int], f: dict) -> tuple:
    unit_id, pid = key
    updated = f.get("submitted_at") or f["created_at"]
    return (
        *(unit_id, b.year, pid, f.get("doc_number", ""), f.get("doc_date")),
        *(f.get("doc_title", ""), _yuan(b.own.get(key, 0)), f.get("school_funds")),
        *(f.get("other_funds"), f.get("social_funds"), "", "", f["status"]),
        *(f.get("submitted_at"), f.get("review_comment", ""), None, 1, f["created_at"], updated),
    )


def _operators() -> dict[int, int]:
    """The id of each unit's operator who has an account (the demo's sample units), by the
    unit's id: who allocated, confirmed, set a deadline or uploaded a voucher there. Units
    without an account leave those columns empty."""
    operators = User.objects.filter(
        role__in=[Role.OPERATOR, Role.SCHOOL_OPERATOR], unit__isnull=False
    ).order_by("-id")
    return dict(operators.values_list("unit_id", "id"))


def _insert(model, columns: list[str], rows) -> int:
    return insert_rows(model, columns, ([_db(v) for v in row] for row in rows))


def year_insert(
    builder: YearBuilder, projects: dict[int, AidProject], voucher_files: bool = True
) -> dict[str, int]:
    """Write the planned rows: filings, receipts, allocations, balances, deadlines, vouchers
    (each with one generated PDF, stored as an upload is, unless `voucher_files` is false)."""
    b, year = builder, builder.year
    by = _operators()
    rows = [_filing_row(b, key, f) for key, f in b.filings.items()]
    _insert(Filing, FILING_COLUMNS, rows)
    filings = Filing.objects.filter(year=year, project__in=projects)
    ids = {(u, p): i for u, p, i in filings.values_list("unit_id", "project_id", "id")}
    receipts = b.plan_receipts()
    _insert(
        Receipt,
        ["filing", "arrival_date", "confirmed_at", "confirmed_by"],
        ((ids[key], arrival, at, by.get(key[0])) for key, (arrival, at) in receipts.items()),
    )
    receipt_ids = dict(
        Receipt.objects.filter(filing__year=year, filing__project__in=projects).values_list(
            "filing_id", "id"
        )
    )
    received: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    out: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    allocations = []
    for (pid, frm, to), fen in b.edges.items():
        source, target = ids[(frm, pid)], ids[(to, pid)]
        for j in range(4):
            received[(to, pid)][j] += fen[j]
            out[(frm, pid)][j] += fen[j]
        created = _at(b.edge_dates[(to, pid)], 10)
        allocations.append(
            (source, target, *map(_yuan, fen), receipt_ids.get(target), by.get(frm), created)
        )
    _insert(
        Allocation,
        ["from_filing", "to_filing", *LEVELS, "receipt", "created_by", "created_at"],
        allocations,
    )
    balances = []
    for key, filing_id in ids.items():
        own_level = PAYS.get(b.nodes[key[0]].level)
        for j, level in enumerate(LEVELS):
            own = b.own.get(key, 0) if level == own_level else 0
            balances.append(
                (
                    filing_id,
                    level,
                    _yuan(received.get(key, [0] * 4)[j]),
                    _yuan(out.get(key, [0] * 4)[j]),
                    _yuan(own),
                )
            )
    _insert(Balance, ["filing", "source_level", "received", "allocated_out", "own"], balances)
    set_at = _at(date(year, 1, 5), 9)
    deadlines = [
        (unit_id, year, pid, _at(b.deadline(b.nodes[unit_id]), 18), by.get(unit_id), set_at)
        for unit_id, pid in sorted(b.deadline_setters)
    ]
    _insert(Deadline, ["unit", "year", "project", "due_at", "set_by", "updated_at"], deadlines)
    national = {pid for pid, p in projects.items() if p.category == Category.NATIONAL}
    b.plan_vouchers(receipts, received, national)
    columns = ["unit", "year", "project", "students", "amount", "note", "created_at"]
    vouchers = ((*v, by.get(v[0]), 1) for v in b.vouchers)  # uploaded by the unit's operator
    _insert(Voucher, [*columns, "created_by", "version"], vouchers)
    files = 0
    if voucher_files:
        new = Voucher.objects.filter(year=year, project__in=national, files__isnull=True)
        files = demo_voucher_files(new)
    return {
        "filings": len(rows),
        "allocations": len(allocations),
        "receipts": len(receipts),
        "balances": len(balances),
        "deadlines": len(deadlines),
        "vouchers": len(b.vouchers),
        "voucher_files": files,
    }


def active_nodes() -> list[Node]:
    return [
        Node(*row)
        for row in Unit.objects.filter(is_active=True)
        .order_by("path")
        .values_list("id", "code", "parent_id", "level", "stage", "path", "name")
    ]


def funds_year_load(
    *,
    year: int,
    seed: int,
    plans: tuple[Plan, ...] = DEMO_PLANS,
    school_funds: bool = True,
    outcome: Outcome | None = None,
    check: bool = True,
    voucher_files: bool = True,
    enrolment: dict[str, tuple[int, int]] = ENROLMENT,
    aided: dict[tuple[int, int], int] | None = None,
) -> dict[str, int]:
    """Fill `year` for every active unit of the tree and audit the load in one record; the
    year must have no filings of these projects yet. Call inside a transaction.
    `voucher_files=False` leaves the vouchers without files (one file is written per voucher:
    national-scale benches should not want that). `enrolment` gives each stage's range of
    students per school; `aided` the students aided per (school id, project id) where they are
    known: a project named there is allocated to exactly those schools, for that many."""
    builder = YearBuilder(
        active_nodes(), year, seed, outcome or Outcome(), enrolment=enrolment, aided=aided
    )
    stages = sorted({n.stage for n in builder.nodes.values() if n.stage})
    own = [code.format(stage=s) for s in stages for code in (SCHOOL_AID, SOCIAL_AID)]
    codes = [p.code for p in plans] + (own if school_funds else [])
    projects = {p.code: p for p in AidProject.objects.filter(code__in=codes)}
    for plan in plans:
        builder.plan_project(projects[plan.code], plan)
    by_id = {p.pk: p for p in projects.values()}
    builder.plan_filings(by_id)
    if school_funds:
        builder.plan_school_funds(
            {s: p for s in stages if (p := projects.get(SCHOOL_AID.format(stage=s)))},
            {s: p for s in stages if (p := projects.get(SOCIAL_AID.format(stage=s)))},
        )
    counts = year_insert(builder, by_id, voucher_files)
    if check and (problems := ledger_discrepancies()):
        raise RuntimeError(f"the funds year left {len(problems)} ledger discrepancies")
    audit_record(
        action="demo.funds_year",
        detail={"year": year, "seed": seed, "projects": codes, **counts},
    )
    return counts
