"""Writes to the unit tree. Every write is audited."""

from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.http import HttpRequest
from django.utils.translation import gettext as _

from zizhu.accounts.models import User
from zizhu.audit.services import audit_record
from zizhu.lib.bulk import ANALYZE_AFTER, analyze
from zizhu.lib.codes import CENTRAL_CODE, division_code_problem, school_code_problem
from zizhu.lib.tabular import Problem, TableError
from zizhu.units.models import LEVEL_RANK, Level, Ownership, Stage, Unit
from zizhu.units.signals import units_moved


@dataclass
class UnitRow:
    code: str
    name: str
    level: str
    parent_code: str
    stage: str = ""
    ownership: str = ""
    kind: str = ""
    row: int = 0


@dataclass
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def central_unit() -> Unit:
    unit, _created = Unit.objects.get_or_create(
        code=CENTRAL_CODE,
        defaults={"name": "中央", "level": Level.CENTRAL, "path": f"{CENTRAL_CODE}/", "depth": 0},
    )
    return unit


def _row_problems(row: UnitRow, parent_level: str | None, province: str | None) -> list[Problem]:
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(row.row, column, message))

    if row.level not in Level.values or row.level == Level.CENTRAL:
        bad(
            "level",
            _("Level %(level)s is not valid (province / prefecture / county / school)")
            % {"level": Level(row.level).label if row.level in Level.values else repr(row.level)},
        )
        return problems
    if not row.name:
        bad("name", _("The unit's name is empty"))
    if row.level == Level.SCHOOL:
        if row.stage not in Stage.values:
            bad("stage", _("Stage %(stage)s is not valid") % {"stage": repr(row.stage)})
        problem = school_code_problem(row.code, stage=row.stage or None, province=province)
        if problem:
            bad("code", _("Not a valid school code: %(problem)s") % {"problem": problem})
        if row.ownership and row.ownership not in Ownership.values:
            bad(
                "ownership",
                _("Ownership %(ownership)s is not valid (public / private)")
                % {"ownership": repr(row.ownership)},
            )
    else:
        problem = division_code_problem(row.code)
        if problem:
            bad("code", _("Not a valid division code: %(problem)s") % {"problem": problem})
        if row.stage:
            bad("stage", _("Only schools have a stage"))
    if parent_level is None:
        bad("parent_code", _("The parent unit %(code)s does not exist") % {"code": row.parent_code})
    elif parent_level == Level.SCHOOL:
        bad("parent_code", _("A school cannot be a parent unit"))
    elif LEVEL_RANK[row.level] <= LEVEL_RANK[parent_level]:
        bad(
            "parent_code",
            _("%(level)s cannot be below %(parent)s")
            % {"level": Level(row.level).label, "parent": Level(parent_level).label},
        )
    elif row.level == Level.PROVINCE and parent_level != Level.CENTRAL:
        bad("parent_code", _("A province's parent must be the centre, 000000"))
    return problems


class _Plan(NamedTuple):
    paths: dict[str, str | None]  # code of a row → its unit's path (None: no valid parent)
    existing: dict[str, Unit]  # code → the units of the rows and their parents already stored
    problems: list[Problem]


def _plan(rows: list[UnitRow]) -> _Plan:
    """Paths of the rows' units, the existing units involved, and every problem found."""
    central = central_unit()
    by_code = {row.code: row for row in rows}
    twice = _("Code %(code)s appears twice")
    problems = [
        Problem(r.row, "code", twice % {"code": r.code}) for r in rows if by_code[r.code] is not r
    ]
    wanted = set(by_code) | {row.parent_code for row in rows}
    existing = {u.code: u for u in Unit.objects.filter(code__in=wanted)}
    existing[central.code] = central
    paths: dict[str, str | None] = {}

    def path_of(code: str, seen: frozenset[str] = frozenset()) -> str | None:
        if code in paths:
            return paths[code]
        row = by_code.get(code)
        if row is None:
            unit = existing.get(code)
            return unit.path if unit else None
        if code in seen:  # a cycle in the file
            return None
        parent_path = path_of(row.parent_code, seen | {code})
        paths[code] = f"{parent_path}{code}/" if parent_path else None
        return paths[code]

    def level_of(code: str) -> str | None:
        if code in by_code:
            return by_code[code].level
        unit = existing.get(code)
        return unit.level if unit else None

    for row in rows:
        path = path_of(row.code)
        province = next((c for c in (path or "").split("/")[1:2] if c), None)
        parent_level = level_of(row.parent_code) if path else None
        problems += _row_problems(row, parent_level, province)
    return _Plan(paths, existing, problems)


def units_validate(rows: list[UnitRow]) -> list[Problem]:
    return _plan(rows).problems


@transaction.atomic
def units_import(
    *, rows: list[UnitRow], actor: User | None = None, request: HttpRequest | None = None
) -> ImportSummary:
    """Create or update units by code, all or nothing.

    Parents must be in `rows` or in the database. Raises TableError listing every problem.
    """
    planned, existing, problems = _plan(rows)
    if problems:
        raise TableError(problems)
    # without problems, every row's unit has a path
    paths = {code: path for code, path in planned.items() if path is not None}

    created = updated = unchanged = moved = 0
    for row in sorted(rows, key=lambda r: paths[r.code].count("/")):
        path = paths[row.code]
        parent = existing[row.parent_code]
        fields = {
            "name": row.name,
            "level": row.level,
            "parent": parent,
            "stage": row.stage,
            "ownership": row.ownership,
            "kind": row.kind,
        }
        unit = existing.get(row.code)
        if unit is None:
            unit = Unit.objects.create(
                code=row.code, path=path, depth=path.count("/") - 1, **fields
            )
            created += 1
        else:
            changed = [k for k, v in fields.items() if getattr(unit, k) != v]
            if unit.path != path:
                _move_subtree(unit, path)
                moved += 1
            if changed:
                for key in changed:
                    setattr(unit, key, fields[key])
                unit.save(update_fields=changed)
            if changed or unit.path != path:
                updated += 1
            else:
                unchanged += 1
        existing[row.code] = unit
    if created >= ANALYZE_AFTER:
        analyze(Unit)  # statements after a large import, in the same transaction, see its size
    if moved:
        units_moved.send(sender=Unit)
    summary = ImportSummary(created, updated, unchanged)
    audit_record(
        actor=actor,
        request=request,
        action="units.import",
        detail={"created": created, "updated": updated, "unchanged": unchanged},
    )
    return summary


def _move_subtree(unit: Unit, new_path: str) -> None:
    old_path = unit.path
    delta = new_path.count("/") - old_path.count("/")
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    unit.refresh_from_db(fields=["path", "depth"])
