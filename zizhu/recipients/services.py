"""Writes to recipient lists: import, single-row changes and the review flow. Each write is
atomic and audited."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Field, Max, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.models import User
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.selectors import not_for_unit, project_is_for
from zizhu.lib.bulk import copy_tables
from zizhu.lib.tabular import Columns, Problem, TableError, gc_paused
from zizhu.recipients.models import OPEN_STATUSES, RecipientList, RecipientRow, Status, Term
from zizhu.recipients.packed import CheckedRows, arrow_in_malloc, spill_file
from zizhu.recipients.storing import ROW_COLUMNS, RowSender, store_rows
from zizhu.recipients.validation import (
    ALIASES,
    NAMES,
    CleanColumns,
    CleanRow,
    ListCheck,
    validate_columns,
    validate_row,
)
from zizhu.recipients.warnings import enrolment_warnings
from zizhu.registers.hashing import KeyHasher
from zizhu.store.keys import person_key, phone_key
from zizhu.units.models import Unit

if TYPE_CHECKING:
    from zizhu.jobs.models import Job


@dataclass
class ImportResult:
    recipient_list: RecipientList | None
    rows: int
    unchanged: bool = False
    warnings: list[Problem] = field(default_factory=list)


class ListKey(TypedDict):
    """What names one list, all its versions alike."""

    school: Unit
    project: AidProject
    year: int
    term: str
    batch: int


def _key_of(school: Unit, project: AidProject, year: int, term: str, batch: int) -> ListKey:
    return {"school": school, "project": project, "year": year, "term": term, "batch": batch}


def _check_project(school: Unit, project: AidProject) -> None:
    if not school.is_school:
        raise ValidationError(_("Only schools keep recipient lists"))
    if not project_is_for(project, school):
        raise ValidationError(not_for_unit(project, school))


def _other_list_conflicts(key: ListKey, pids: list[int] | np.ndarray) -> dict[int, RecipientList]:
    """Persons (by pid) already on another live list of the school for the same project, year
    and term (other batches): one query over those lists' rows, usually none."""
    others = (
        RecipientList.objects.filter(
            school=key["school"],
            project=key["project"],
            year=key["year"],
            term=key["term"],
            status__in=[*OPEN_STATUSES, Status.APPROVED],
        )
        .exclude(batch=key["batch"])
        .in_bulk()
    )
    if not others:
        return {}
    wanted = set(pids.tolist() if isinstance(pids, np.ndarray) else pids)
    return {
        pid: others[list_id]
        for pid, list_id in RecipientRow.objects.filter(recipient_list__in=list(others))
        .values_list("pid", "recipient_list_id")
        .iterator(chunk_size=10000)
        if pid in wanted
    }


# a row's values in ROW_COLUMNS order
RowValues = tuple[int, int, str, int, str, str, date, str, str, str, int | None, Decimal, str]


def _row_values(target: RecipientList, r: CleanRow, pid: int, phone: int | None) -> RowValues:
    """A row's values in ROW_COLUMNS order; `pid` and `phone` are the keyed hashes of its ID
    and phone (zizhu.store.keys)."""
    return (
        target.pk,
        r.row_number,
        r.id_number,
        pid,
        r.name,
        r.sex,
        r.birth_date,
        r.grade,
        r.major,
        r.phone,
        phone,
        r.amount,
        r.bank_account,
    )


def _person_keys(clean: CleanColumns) -> np.ndarray:
    """`pid` of each row, hashed in one batch (zizhu.registers.hashing)."""
    return KeyHasher().person_keys(clean.id_matrix())


def _db_row(target: RecipientList, r: CleanRow) -> RecipientRow:
    """An unsaved row; its fields seal the ID, phone and card number when it is saved."""
    key = settings.ZIZHU_HASH_KEY.encode()
    pid, phone = person_key(r.id_number, key), phone_key(r.phone, key) if r.phone else None
    values: dict[str, object] = dict(
        zip(ROW_COLUMNS, _row_values(target, r, pid, phone), strict=True)
    )
    values["recipient_list"] = target
    return RecipientRow(**values)


def _refresh_totals(target: RecipientList) -> None:
    totals = target.rows.aggregate(n=Count("id"), total=Sum("amount"))
    _save_totals(target, totals["n"], totals["total"] or Decimal("0"))


def _save_totals(target: RecipientList, count: int, total: Decimal) -> None:
    """The list's row count and total, with its content hash (set by the caller)."""
    target.row_count, target.total_amount = count, total
    target.save(update_fields=["row_count", "total_amount", "content_hash", "updated_at"])


def _approve(target: RecipientList, actor: User | None) -> None:
    RecipientList.objects.filter(
        school=target.school,
        project=target.project,
        year=target.year,
        term=target.term,
        batch=target.batch,
        status=Status.APPROVED,
    ).update(status=Status.SUPERSEDED)
    target.status = Status.APPROVED
    target.reviewed_by = actor
    target.reviewed_at = timezone.now()
    target.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])


def recipient_list_import(
    *,
    school: Unit,
    project: AidProject,
    year: int,
    term: str,
    rows: "list[tuple[int, dict[str, str]]] | Columns | Iterable[Columns]",
    batch: int = 1,
    actor: User | None = None,
    request: HttpRequest | None = None,
    approve: bool = False,
    dry_run: bool = False,
    checked: "Callable[[int], None] | None" = None,
) -> ImportResult:
    """Validate every row, then (unless `dry_run`) store them as the key's open version.
    `rows`: (row number, values) pairs, the file read column by column (read_columns), or
    read a chunk at a time (read_column_chunks: a big file is then never held whole as
    Python strings). `checked(n)` is called once every row has passed: before storing
    (SQLite), or after the commit (PostgreSQL, where each chunk is stored as it passes).

    Raises TableError with every problem; nothing is written then. Importing the same content
    again changes nothing."""
    # zizhu.lib.tabular: millions of values, no cycles; packed: Arrow's memory reused
    with gc_paused(), arrow_in_malloc():
        return _import(
            school=school,
            project=project,
            key=_key_of(school, project, year, term, batch),
            rows=rows,
            actor=actor,
            request=request,
            approve=approve,
            dry_run=dry_run,
            checked=checked,
        )


@dataclass(frozen=True)
class _Upload:
    """One import: its school and list key, who makes it and whether it approves."""

    school: Unit
    key: ListKey
    actor: User | None
    request: HttpRequest | None
    approve: bool

    def kept(
        self, target: RecipientList | None, approved: RecipientList | None, digest: str
    ) -> RecipientList | None:
        """The version that already has the file's content (the import then changes
        nothing): the open one, or else the approved one; an approving import of the open
        version's own content still approves it."""
        current = target or approved
        if current is None or current.content_hash != digest or (self.approve and target):
            return None
        return current


def _import(
    *,
    school: Unit,
    project: AidProject,
    key: ListKey,
    rows: "list[tuple[int, dict[str, str]]] | Columns | Iterable[Columns]",
    actor: User | None,
    request: HttpRequest | None,
    approve: bool,
    dry_run: bool,
    checked: "Callable[[int], None] | None",
) -> ImportResult:
    _check_project(school, project)
    upload = _Upload(school, key, actor, request, approve)
    if not dry_run and connection.vendor == "postgresql":
        streamed = _import_streamed(upload, rows, checked)
        if streamed is not None:
            return streamed
    with CheckedRows() as clean:
        numbers, pids, problems = _check(key, rows, None if dry_run else clean)
        if problems:
            raise TableError(sorted(problems, key=lambda p: (p.row, p.column)))
        if checked is not None:
            checked(len(numbers))
        warnings = enrolment_warnings(school, numbers, pids)
        if dry_run:
            return ImportResult(None, len(numbers), warnings=warnings)
        del numbers, pids
        return _store(upload, clean, clean.content_hash(), warnings)


def _versions(
    key: ListKey,
) -> tuple[QuerySet[RecipientList], RecipientList | None, RecipientList | None]:
    """The key's versions, locked, with its open version and its approved one."""
    versions = RecipientList.objects.select_for_update(of=("self",)).filter(**key)
    target = versions.filter(status__in=OPEN_STATUSES).first()
    return versions, target, versions.filter(status=Status.APPROVED).first()


def _new_version(
    key: ListKey, versions: QuerySet[RecipientList], actor: User | None
) -> RecipientList:
    number = (versions.aggregate(v=Max("version"))["v"] or 0) + 1
    return RecipientList.objects.create(**key, version=number, created_by=actor)


def _store(
    upload: _Upload, clean: CheckedRows, digest: str, warnings: list[Problem]
) -> ImportResult:
    with transaction.atomic():
        versions, target, approved = _versions(upload.key)
        if (kept := upload.kept(target, approved, digest)) is not None:
            return ImportResult(kept, kept.row_count, unchanged=True, warnings=warnings)
        if target is None:
            target = _new_version(upload.key, versions, upload.actor)
        elif target.status == Status.SUBMITTED:
            raise ValidationError(
                _("The list is submitted for review; it can change once returned")
            )
        RecipientRow.objects.filter(recipient_list=target).delete()  # one DELETE: no cascades
        store_rows([(target.pk, clean)])
        return _stored(upload, target, clean, digest, warnings)


def _stored(
    upload: _Upload,
    target: RecipientList,
    clean: CheckedRows,
    digest: str,
    warnings: list[Problem],
) -> ImportResult:
    """The version's totals, content hash, approval and audit once its rows are in."""
    # the totals of the checked rows: no statement reads the new rows back in this
    # transaction (so PostgreSQL needs no ANALYZE of them first, see storing.store_rows)
    target.content_hash = digest
    _save_totals(target, len(clean), clean.total_amount)
    if upload.approve:
        _approve(target, upload.actor)
    audit_record(
        actor=upload.actor,
        request=upload.request,
        obj=target,
        action="recipients.import_approved" if upload.approve else "recipients.import",
        detail={"rows": len(clean), "version": target.version},
    )
    return ImportResult(target, len(clean), warnings=warnings)


def _import_streamed(
    upload: _Upload,
    rows: "list[tuple[int, dict[str, str]]] | Columns | Iterable[Columns]",
    checked: "Callable[[int], None] | None",
) -> ImportResult | None:
    """PostgreSQL: the rows stored while the file is read and checked, each chunk sent to
    one COPY as soon as it has passed (the server inserts while the next chunk is checked),
    all in one transaction that any problem, or content the key already has, rolls back.
    The key's versions stay locked meanwhile; `checked` is called after the commit. None,
    having read nothing, where the key's open version is submitted: `_import` then checks
    the file first, as on SQLite."""
    with transaction.atomic():
        versions, target, approved = _versions(upload.key)
        if target is not None and target.status == Status.SUBMITTED:
            return None
        writing = target or _new_version(upload.key, versions, upload.actor)
        RecipientRow.objects.filter(recipient_list=writing).delete()  # one DELETE: no cascades
        with CheckedRows() as clean:
            found = None
            try:  # a savepoint: after a refused COPY the other lists can still be read
                with transaction.atomic(), copy_tables(RecipientRow, ROW_COLUMNS) as write:
                    clean.send = sender = RowSender(write, writing.pk)
                    found = _check_chunks(rows, clean)
                refused = sender.refused
            except DatabaseError as error:  # at the COPY's end
                if found is None:  # the file was not read to its end
                    raise
                refused = error
            numbers, pids, problems = found
            problems += _conflicts(upload.key, numbers, pids)
            if problems:
                raise TableError(sorted(problems, key=lambda p: (p.row, p.column)))
            if refused is not None:  # not a repeated ID (the check reports those): say it
                raise refused
            warnings = enrolment_warnings(upload.school, numbers, pids)
            digest = clean.content_hash()
            if (kept := upload.kept(target, approved, digest)) is not None:
                transaction.set_rollback(True)  # the rows sent go again
                result = ImportResult(kept, kept.row_count, unchanged=True, warnings=warnings)
            else:
                result = _stored(upload, writing, clean, digest, warnings)
    if checked is not None:  # after the commit: a job's progress row is not locked meanwhile
        checked(len(numbers))
    return result


CHECK_ROWS = 10_000  # rows of a table read whole checked at a time


def _chunks_of(
    rows: "list[tuple[int, dict[str, str]]] | Columns | Iterable[Columns]",
) -> "Iterable[Columns]":
    if isinstance(rows, list):
        rows = Columns.of_rows(rows, NAMES)
    if not isinstance(rows, Columns):
        return rows
    table = rows
    return (
        Columns(
            table.numbers[at : at + CHECK_ROWS],
            {name: values[at : at + CHECK_ROWS] for name, values in table.values.items()},
        )
        for at in range(0, len(table), CHECK_ROWS)
    )


def _check(
    key: ListKey,
    rows: "list[tuple[int, dict[str, str]]] | Columns | Iterable[Columns]",
    keep: CheckedRows | None,
) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """The row numbers and pids of the clean rows, and every problem: `_check_chunks`, then
    the rows already on the key's other batches."""
    numbers, pids, problems = _check_chunks(rows, keep)
    return numbers, pids, problems + _conflicts(key, numbers, pids)


def _check_chunks(
    rows: "list[tuple[int, dict[str, str]]] | Columns | Iterable[Columns]",
    keep: CheckedRows | None,
) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """The row numbers and pids of the clean rows, and the file's problems; the file is
    checked a chunk at a time, each chunk's clean rows go to `keep` until the first problem
    (after it every chunk is still checked: the report lists every problem). Reads no
    database."""
    check = ListCheck(timezone.localdate())
    numbers: list[np.ndarray] = []
    pids: list[np.ndarray] = []
    for table in _chunks_of(rows):
        clean = check.add(table)
        keys = _person_keys(clean)
        if keep is not None and not check.problems and len(clean):
            keep.add(clean, keys)
        numbers.append(np.asarray(clean.row_number, dtype=np.int32))
        pids.append(keys)
        del clean, table
    repeated = check.finish()
    every_number = np.concatenate([np.empty(0, np.int32), *numbers])
    every_pid = np.concatenate([np.empty(0, np.int64), *pids])
    del numbers, pids
    if repeated.size:  # a later row with an earlier row's ID is not clean
        unique = ~np.isin(every_number, repeated)
        every_number, every_pid = every_number[unique], every_pid[unique]
    return every_number, every_pid, check.problems


def _conflicts(key: ListKey, numbers: np.ndarray, pids: np.ndarray) -> list[Problem]:
    """A problem for each row whose person is on another batch of the key."""
    conflicts = _other_list_conflicts(key, pids)
    if not conflicts:
        return []
    on_other = np.isin(pids, np.fromiter(conflicts, np.int64, len(conflicts)))
    on_batch = _("Already on batch %(batch)s of this school's list for the project and term")
    return [
        Problem(number, "id_number", on_batch % {"batch": conflicts[pid].batch})
        for number, pid in zip(numbers[on_other].tolist(), pids[on_other].tolist(), strict=True)
    ]


@dataclass(frozen=True)
class ListLoad:
    """One list of a bulk load: its key and its file's rows as (row number, values)."""

    school: Unit
    project: AidProject
    year: int
    term: str
    rows: list[tuple[int, dict[str, str]]]
    batch: int = 1

    @property
    def label(self) -> str:
        """The list as its messages name it, in Chinese (they are the load's user's)."""
        school, project, term = self.school, self.project, Term(self.term).label
        return f"{school.code} {school.name} {project.name} {self.year}学年{term} 第{self.batch}批"


def _load_conflicts(
    loads: list[ListLoad], cleaned: list[CleanColumns], pids: list[np.ndarray]
) -> list[str]:
    """Keys that already have a version, and persons on two batches of one key: one query for
    the keys, one for the rows of the other batches already stored."""
    keys = {(x.school.pk, x.project.pk, x.year, x.term) for x in loads}
    stored = {
        (school, project, year, term, batch): pk
        for pk, school, project, year, term, batch in RecipientList.objects.filter(
            school__in={k[0] for k in keys}, status__in=[*OPEN_STATUSES, Status.APPROVED]
        ).values_list("pk", "school_id", "project_id", "year", "term", "batch")
        if (school, project, year, term) in keys
    }
    problems = [f"{x.label}: 该名单已存在" for x in loads if (*_key(x), x.batch) in stored]
    # key (school, project, year, term) → person (pid) → the batch they are on
    seen: dict[tuple[object, ...], dict[int, int]] = {}
    people = RecipientRow.objects.filter(recipient_list__in=list(stored.values())).values_list(
        "recipient_list__school_id",
        "recipient_list__project_id",
        "recipient_list__year",
        "recipient_list__term",
        "recipient_list__batch",
        "pid",
    )
    for *key, batch, pid in people.iterator(chunk_size=10_000):
        seen.setdefault(tuple(key), {})[pid] = batch
    for load, rows, load_pids in zip(loads, cleaned, pids, strict=True):
        persons = seen.setdefault(_key(load), {})
        for number, pid in zip(rows.row_number, load_pids.tolist(), strict=True):
            batch = persons.setdefault(pid, load.batch)
            if batch != load.batch:
                where = f"{load.label} 第{number}行"
                problems.append(f"{where}: 已在本校同一项目、同一学期的第{batch}批名单中")
    return problems


def _key(load: ListLoad) -> tuple[int, int, int, str]:
    return (load.school.pk, load.project.pk, load.year, load.term)


@transaction.atomic
def recipient_lists_load(
    *, lists: list[ListLoad], actor: User | None = None, request: HttpRequest | None = None
) -> int:
    """Many new lists at once, approved: an administrator's bulk load (a province moving its
    lists in, the demo). Every row of every list is checked as an upload's are, and no key
    may have a version yet; on any problem ValidationError lists them all and nothing is
    written. Rows go in with one bulk insert; one audit event for the load. Returns the rows
    stored. (The non-blocking enrolment warnings of an upload are not computed.)"""
    problems: list[str] = []
    cleaned: list[CleanColumns] = []
    today = timezone.localdate()
    for load in lists:
        _check_project(load.school, load.project)
        clean, found = validate_columns(Columns.of_rows(load.rows, NAMES), today=today)
        problems += [
            f"{load.label} 第{p.row}行 {ALIASES.get(p.column, p.column)}: {p.message}"
            for p in found
        ]
        cleaned.append(clean)
    pids = [_person_keys(clean) for clean in cleaned]
    problems += _load_conflicts(lists, cleaned, pids)
    if problems:
        raise ValidationError(problems[:100])
    now = timezone.now()
    with spill_file() as spill:  # every list's checked rows, one file
        checked = [
            CheckedRows.of(rows, keys, spill) for rows, keys in zip(cleaned, pids, strict=True)
        ]
        created = RecipientList.objects.bulk_create(
            RecipientList(
                **_key_of(load.school, load.project, load.year, load.term, load.batch),
                status=Status.APPROVED,
                row_count=len(rows),
                total_amount=rows.total_amount,
                content_hash=rows.content_hash(),
                created_by=actor,
                reviewed_by=actor,
                reviewed_at=now,
            )
            for load, rows in zip(lists, checked, strict=True)
        )
        stored = store_rows(
            [(target.pk, rows) for target, rows in zip(created, checked, strict=True)]
        )
    audit_record(
        actor=actor,
        request=request,
        action="recipients.load_approved",
        detail={"lists": len(created), "rows": stored},
    )
    return stored


def _locked(pk: int) -> RecipientList:
    return (
        RecipientList.objects.select_for_update(of=("self",))
        .select_related("school", "project")
        .get(pk=pk)
    )


@transaction.atomic
def recipient_list_submit(
    *, recipient_list: RecipientList, actor: User | None, request: HttpRequest | None = None
) -> RecipientList:
    target = _locked(recipient_list.pk)
    if target.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(_("Only a draft or a returned list can be submitted"))
    if target.row_count == 0:
        raise ValidationError(_("An empty list cannot be submitted"))
    target.status, target.submitted_at = Status.SUBMITTED, timezone.now()
    target.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, request=request, action="recipients.submit", obj=target)
    return target


@transaction.atomic
def recipient_list_approve(
    *, recipient_list: RecipientList, actor: User | None, request: HttpRequest | None = None
) -> RecipientList:
    target = _locked(recipient_list.pk)
    if target.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted list can be approved"))
    _approve(target, actor)
    audit_record(actor=actor, request=request, action="recipients.approve", obj=target)
    return target


@transaction.atomic
def recipient_list_return(
    *,
    recipient_list: RecipientList,
    comment: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> RecipientList:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Returning a list needs a review comment"))
    target = _locked(recipient_list.pk)
    if target.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted list can be returned"))
    target.status, target.review_comment = Status.RETURNED, comment[:500]
    target.reviewed_by, target.reviewed_at = actor, timezone.now()
    target.save(
        update_fields=["status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        request=request,
        action="recipients.return",
        obj=target,
        detail={"comment": target.review_comment},
    )
    return target


@transaction.atomic
def recipient_list_new_version(
    *, recipient_list: RecipientList, actor: User | None, request: HttpRequest | None = None
) -> RecipientList:
    """A draft copy of an approved list: the approved one stays in force until the copy is."""
    source = _locked(recipient_list.pk)
    if source.status != Status.APPROVED:
        raise ValidationError(_("Only an approved list can get a new version"))
    key = _key_of(source.school, source.project, source.year, source.term, source.batch)
    if RecipientList.objects.filter(**key, status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("The list already has a new version not yet approved"))
    number = RecipientList.objects.filter(**key).aggregate(v=Max("version"))["v"] + 1
    copy = RecipientList.objects.create(
        **key,
        version=number,
        created_by=actor,
        content_hash=source.content_hash,
        row_count=source.row_count,
        total_amount=source.total_amount,
    )
    _copy_rows(source, copy)
    audit_record(
        actor=actor,
        request=request,
        action="recipients.new_version",
        obj=copy,
        detail={"from_version": source.version},
    )
    return copy


def _copy_rows(source: RecipientList, target: RecipientList) -> None:
    """INSERT … SELECT: the copy never leaves the database."""
    table = connection.ops.quote_name(RecipientRow._meta.db_table)
    columns = [_column(c) for c in ROW_COLUMNS[1:]]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    list_column = _column("recipient_list")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({list_column}, {names}) "  # noqa: S608 - names from the model
            f"SELECT %s, {names} FROM {table} WHERE {list_column} = %s",
            [target.pk, source.pk],
        )


def _column(name: str) -> str:
    """The database column of a concrete field of RecipientRow."""
    model_field = RecipientRow._meta.get_field(name)
    if not isinstance(model_field, Field) or model_field.column is None:
        raise ValueError(f"RecipientRow.{name} is not a column")
    return model_field.column


@transaction.atomic
def recipient_row_save(
    *,
    recipient_list: RecipientList,
    raw: dict[str, str],
    actor: User | None,
    row: RecipientRow | None = None,
    request: HttpRequest | None = None,
) -> RecipientRow:
    """Add a row, or change `row`, on an editable list; same checks as an import."""
    target = _locked(recipient_list.pk)
    if not target.is_editable:
        raise ValidationError(_("The list is submitted or approved; it cannot change"))
    number = row.row_number if row else (target.rows.aggregate(n=Max("row_number"))["n"] or 1) + 1
    clean, problems = validate_row(number, raw, timezone.localdate())
    if clean is not None:
        pid = person_key(clean.id_number, settings.ZIZHU_HASH_KEY.encode())
        others = target.rows.filter(pid=pid)
        if row is not None:
            others = others.exclude(pk=row.pk)
        key = _key_of(target.school, target.project, target.year, target.term, target.batch)
        if others.exists() or _other_list_conflicts(key, [pid]):
            problems.append(
                Problem(number, "id_number", _("This ID number is already on the list"))
            )
    if problems:
        raise TableError(problems)
    new = _db_row(target, clean)
    if row is not None:
        new.pk = row.pk
    new.save()
    target.content_hash = ""
    _refresh_totals(target)
    audit_record(
        actor=actor,
        request=request,
        obj=target,
        action="recipients.row_change" if row else "recipients.row_add",
        detail={"row": number},
    )
    return new


@transaction.atomic
def recipient_row_delete(
    *, row: RecipientRow, actor: User | None, request: HttpRequest | None = None
) -> None:
    target = _locked(row.recipient_list_id)
    if not target.is_editable:
        raise ValidationError(_("The list is submitted or approved; it cannot change"))
    row.delete()
    target.content_hash = ""
    _refresh_totals(target)
    audit_record(
        actor=actor,
        request=request,
        obj=target,
        action="recipients.row_delete",
        detail={"row": row.row_number},
    )


def recipient_list_upload(
    *,
    school: Unit,
    project: AidProject,
    year: int,
    term: str,
    batch: int,
    upload: "UploadedFile[bytes]",
    actor: User | None,
    request: HttpRequest | None = None,
) -> "Job":
    """Keep an uploaded list file and queue its import job (the job reads, validates and
    stores it: `zizhu.recipients.jobs`); the page and the API both upload through here."""
    import secrets
    from pathlib import Path

    from zizhu.jobs.services import job_create

    name = upload.name or ""  # a file of a form or the API always has one
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{Path(name).suffix.lower()}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        return job_create(
            kind="recipients_import",
            actor=actor,
            request=request,
            params={
                "school": school.code,  # as the audit trail names a school
                "project": project.code,
                "year": year,
                "term": term,
                "batch": batch,
                "path": str(path),
                "file_name": name[:200],
            },
        )
    except BaseException:  # no job to import it (the queue is down): the file goes now
        path.unlink(missing_ok=True)
        raise
