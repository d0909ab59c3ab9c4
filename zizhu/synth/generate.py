"""`generate()`: write a synthetic world, its ground truth and its decoys (see the package doc).

Tables are written in parts, each a range of schools of one province, generated with numpy and
written with pyarrow; keyed parts are written by a pool of threads (numpy and Parquet release
the GIL), so memory stays at a few parts' worth whatever the scale.
"""

import csv
import json
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np

from zizhu.lib.idnumber import mask_matrix, matrix_to_strings
from zizhu.lib.periods import Month
from zizhu.store.keys import keyed_int64
from zizhu.synth.output import KeyedSink, RawSink
from zizhu.synth.persons import EPOCH
from zizhu.synth.plants import Planter, Rec, plant_all
from zizhu.synth.scales import SCALES
from zizhu.synth.schools import write_units_file
from zizhu.synth.tables import PROGRAMMES, PROJECT_INDEX, STATUSES, Rows, Table, source_rows
from zizhu.synth.truth import evaluate, load_rules
from zizhu.synth.world import World, build_world

DEFAULT_MONTH = "2025-10"
TRUTH_HEADER = [
    "month", "rule", "risk", "programme", "check", "school_code", "pid", "id_number",
    "id_masked", "counterpart_school_code", "counterpart_kind", "detail", "scenario",
]  # fmt: skip
DECOY_HEADER = [
    "month", "decoy", "rules", "programme", "school_code", "pid", "id_number", "id_masked",
    "counterpart_school_code", "counterpart_kind",
]  # fmt: skip


@dataclass
class GenerateResult:
    out: Path
    keyed: bool
    month: str
    scale: str
    seed: int
    ground_truth: list[dict]
    decoys: list[dict]
    rows: dict[str, int] = field(default_factory=dict)  # table → rows written
    seconds: float = 0.0
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True)
class Part:
    table: Table
    source: object  # tables.Source, or None for planted rows only
    stage: str
    province: str
    first: int
    last: int
    name: str


def _planted_rows(world: World, recs: list[Rec]) -> dict[tuple, Rows]:
    """Planted records grouped by (table, stage, province), as Rows sorted by school."""
    groups: dict[tuple, list[Rec]] = {}
    for rec in recs:
        groups.setdefault((rec.table, rec.stage, rec.province), []).append(rec)
    result = {}
    for (table, stage, province), group in groups.items():
        group.sort(key=lambda r: (r.school, r.g, r.project))
        result[(table, stage, province)] = Rows(
            codes=world.schools[(stage, province)].codes,
            stage=stage,
            school=np.array([r.school for r in group], np.int32),
            g=np.array([r.g for r in group], np.int64),
            phone=np.array([r.phone for r in group], np.int64),
            project=np.array([PROJECT_INDEX.get(r.project, -1) for r in group], np.int16),
            status=np.array([STATUSES.index(r.status) for r in group], np.int8),
            graduation_year=np.array([r.graduation_year for r in group], np.int32),
        )
    return result


def _parts(world: World, tables: list[Table], planted: dict[tuple, Rows]) -> list[Part]:
    parts = []
    for table in tables:
        covered = set()
        for source in table.sources:
            for province in world.provinces:
                block = world.persons.block(source.population, province)
                offsets = block.school_offsets
                schools = len(offsets) - 1
                if not schools:
                    continue
                covered.add((source.stage, province))
                targets = np.arange(world.scale.chunk_rows, offsets[-1], world.scale.chunk_rows)
                cuts = np.unique(np.clip(np.searchsorted(offsets, targets), 1, schools))
                bounds = [0, *[int(c) for c in cuts if c < schools], schools]
                for i, (first, last) in enumerate(zip(bounds, bounds[1:], strict=False)):
                    name = f"{source.stage}-{province}-{i:04d}"
                    parts.append(Part(table, source, source.stage, province, first, last, name))
        for key, stage, province in planted:
            if key == table.key and (stage, province) not in covered:
                schools = len(world.schools[(stage, province)])
                parts.append(Part(table, None, stage, province, 0, schools, f"{stage}-{province}"))
    return parts


def _part_rows(world: World, part: Part, planted: dict[tuple, Rows]) -> Rows:
    pieces = []
    if part.source is not None:
        block = world.persons.block(part.source.population, part.province)
        group = world.schools[(part.stage, part.province)]
        pieces.append(
            source_rows(
                table=part.table,
                source=part.source,
                codes=group.codes,
                internal=group.internal,
                base=block.base,
                school_offsets=block.school_offsets,
                first=part.first,
                last=part.last,
                birth_days=world.persons.birth_days,
                reference_days=(world.reference - EPOCH).days,
                select_salt=world.persons.salts["select"],
            )
        )
    extra = planted.get((part.table.key, part.stage, part.province))
    if extra is not None:
        lo, hi = np.searchsorted(extra.school, [part.first, part.last])
        if hi > lo:
            pieces.append(
                Rows(
                    codes=extra.codes,
                    stage=extra.stage,
                    **{
                        name: getattr(extra, name)[lo:hi]
                        for name in ("school", "g", "phone", "project", "status", "graduation_year")
                    },
                )
            )
    if len(pieces) > 1:
        return Rows.concat(pieces)
    return pieces[0] if pieces else None


def _truth_rows(
    world: World, planter: Planter, keyed: bool, hash_key: bytes | None
) -> tuple[list[dict], list[dict]]:
    month = world.month
    snapshots: dict[str, set[str]] = {}
    for table in world.tables:
        if not table.is_list:
            snapshots.setdefault(table.key[1], set()).add(table.key[2])
    persons = world.persons
    everyone = np.array(sorted({r.g for r in planter.recs}), np.int64)
    born = dict(zip(everyone.tolist(), persons.birth_days(everyone).tolist(), strict=True))
    findings = evaluate(
        planter.recs,
        month=month,
        reference=world.reference,
        snapshots=snapshots,
        birth_date=lambda g: EPOCH + timedelta(days=born[g]),
    )
    if keyed:  # the full IDs are not written: the masked ones need no table of all area codes
        ids = {}
        masked_matrix = persons.masked_ids(everyone)
    else:
        matrix = persons.id_matrix(everyone)
        ids = dict(zip(everyone.tolist(), matrix_to_strings(matrix), strict=True))
        masked_matrix = mask_matrix(matrix)
    masked = dict(zip(everyone.tolist(), matrix_to_strings(masked_matrix), strict=True))
    pids = dict(zip(everyone.tolist(), persons.pid(everyone).tolist(), strict=True))

    def who(g: int) -> dict:
        if keyed:
            pid = pids[g]
        else:
            pid = keyed_int64(ids[g].encode("ascii"), hash_key) if hash_key else ""
        return {"pid": pid, "id_number": "" if keyed else ids[g], "id_masked": masked[g]}

    truth = [
        {
            "month": str(month),
            "rule": f.rule,
            "risk": f.risk,
            "programme": f.programme,
            "check": f.check,
            "school_code": f.school_code,
            **who(f.g),
            "counterpart_school_code": f.counterpart_school_code,
            "counterpart_kind": f.counterpart_kind,
            "detail": f.detail,
            "scenario": planter.labels[f.g],
        }
        for f in findings
    ]
    flagged = {f.g for f in findings}
    rules = load_rules()
    decoys = []
    for decoy in planter.decoys:
        if decoy.subject.g in flagged or any(r.g in flagged for r in decoy.counterparts):
            raise AssertionError(f"decoy {decoy.name} would be a finding")
        for project in decoy.subject.projects:
            programme = PROGRAMMES[project]
            numbers = ";".join(str(rules[(programme, c)].number) for c in decoy.checks)
            counterparts = [(r.code, _kind_of(r)) for r in decoy.counterparts] or [("", "")]
            for code, kind in counterparts:
                decoys.append(
                    {
                        "month": str(month),
                        "decoy": decoy.name,
                        "rules": numbers,
                        "programme": programme,
                        "school_code": decoy.subject.code,
                        **who(decoy.subject.g),
                        "counterpart_school_code": code,
                        "counterpart_kind": kind,
                    }
                )
    return truth, decoys


def _kind_of(rec: Rec) -> str:
    if rec.table[0] == "registers":
        return rec.table[1]
    return "recipients_vocational" if rec.stage == "vocational" else f"recipients_{rec.stage}"


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def generate(
    *,
    out: Path | str,
    scale: str = "demo",
    seed: int = 1,
    month: str = DEFAULT_MONTH,
    keyed: bool = False,
    units_file: Path | str | None = None,
    register_format: str = "csv",
    hash_key: bytes | None = None,
    workers: int = 2,
    focus_schools: tuple[str, ...] = (),
) -> GenerateResult:
    """Write a synthetic world under `out` and return its ground truth and decoys.

    `hash_key`: in raw mode, the ZIZHU_HASH_KEY the files will be imported with, so that the
    ground truth can carry the `pid` the import will compute (left empty without it).
    `focus_schools`: vocational school codes that get planted cases of every risk level
    (see plants.plant_all); the world is otherwise the same kind of world.
    """
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(SCALES[scale], seed=seed, month=Month.parse(month), units_file=units_file)
    planter = plant_all(world, np.random.default_rng([seed, 1]), tuple(focus_schools))
    truth, decoys = _truth_rows(world, planter, keyed, hash_key)
    planted = _planted_rows(world, planter.recs)
    known = {t.key for t in world.tables}
    extra = sorted({key for key, _, _ in planted if key not in known})
    tables = world.tables + [Table(key, ()) for key in extra]
    parts = _parts(world, tables, planted)
    sink: KeyedSink | RawSink
    if keyed:
        sink = KeyedSink(out, world.persons, world.reference, tables)
        sink.expect(parts)
    else:
        sink = RawSink(out, world.persons, world.reference, register_format)

    def run(part: Part) -> tuple[str, int]:
        rows = _part_rows(world, part, planted)
        # a keyed part without rows still counts towards closing its table's files
        written = sink.write(part.table, rows, part.name) if rows or keyed else 0
        return part.table.label, written

    counts: dict[str, int] = {t.label: 0 for t in tables}
    if sink.parallel and workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(run, parts))
    else:
        results = [run(part) for part in parts]
    for label, n in results:
        counts[label] += n
    sink.finish(tables)

    paths = {
        "ground_truth": out / "ground_truth.csv",
        "decoys": out / "decoys.csv",
        "summary": out / "summary.json",
    }
    _write_csv(paths["ground_truth"], TRUTH_HEADER, truth)
    _write_csv(paths["decoys"], DECOY_HEADER, decoys)
    if not units_file:
        paths["units"] = out / "units.csv"
        write_units_file(paths["units"], world.divisions, world.schools)
    if not keyed:
        paths["manifest"] = out / "lists_manifest.csv"
    result = GenerateResult(
        out=out,
        keyed=keyed,
        month=str(world.month),
        scale=scale,
        seed=seed,
        ground_truth=truth,
        decoys=decoys,
        rows=counts,
        seconds=time.perf_counter() - started,
        paths=paths,
    )
    summary = {
        "scale": scale,
        "seed": seed,
        "month": result.month,
        "keyed": keyed,
        "rows": counts,
        "total_rows": result.total_rows,
        "seconds": round(result.seconds, 2),
        "rows_per_second": round(result.total_rows / max(result.seconds, 1e-9)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "ground_truth": len(truth),
        "decoys": len(decoys),
    }
    paths["summary"].write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    return result
