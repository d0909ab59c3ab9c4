"""Writes of register snapshots: the import (every record checked, then the month's snapshot
replaced in the analytics store at once) and the upload that runs it as a background job."""

import logging
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zizhu.accounts.models import User
from zizhu.audit.models import Result
from zizhu.audit.services import audit_record
from zizhu.jobs.services import Progress, job_create
from zizhu.lib.periods import Month
from zizhu.lib.tabular import Problem, TableError
from zizhu.ops.errors import rolled_back
from zizhu.ops.storage import is_disk_full
from zizhu.registers.hashing import KeyHasher
from zizhu.registers.kinds import FILE_COLUMNS
from zizhu.registers.models import Snapshot, Status
from zizhu.registers.reading import Batch, file_format, read_batches
from zizhu.registers.storage import SnapshotWriter
from zizhu.registers.validation import Checked, check_batch
from zizhu.store.schemas import REGISTER_SCHEMAS, shape_of

log = logging.getLogger(__name__)

MAX_PROBLEMS_KEPT = 10_000  # on the Snapshot row; the exception carries all of them
UPLOAD_FOLDER = "registers/incoming"  # under MEDIA_ROOT; each file is deleted by its job


class RegisterRejected(TableError):
    """The file has problems; nothing was written to the store. `snapshot` is the failed
    Snapshot row (None for a dry run)."""

    def __init__(self, problems: list[Problem], snapshot: Snapshot | None):
        super().__init__(problems)
        self.snapshot = snapshot


def _advance(progress: Progress | None, done: int, message: str) -> None:
    if progress is not None:
        progress.advance(done, message)


def _reject(
    snapshot: Snapshot, problems: list[Problem], actor: User | None, request: HttpRequest | None
) -> None:
    snapshot.status = Status.FAILED
    snapshot.error_count = len(problems)
    snapshot.problems = [[p.row, p.column, p.message] for p in problems[:MAX_PROBLEMS_KEPT]]
    snapshot.message = _nothing_written(len(problems))
    snapshot.finished_at = timezone.now()
    snapshot.save()
    audit_record(
        actor=actor,
        request=request,
        action="registers.import",
        obj=snapshot,
        result=Result.FAILURE,
        detail={"kind": snapshot.kind, "month": snapshot.month, "errors": len(problems)},
    )


def _publish(
    snapshot: Snapshot, writer: SnapshotWriter, actor: User | None, request: HttpRequest | None
) -> None:
    """Swap the store folder and make `snapshot` the current one, in one transaction: the
    rows of (kind, month) are locked first, so two imports of the same month take turns."""
    with transaction.atomic():
        list(
            Snapshot.objects.select_for_update(of=("self",))
            .filter(kind=snapshot.kind, month=snapshot.month)
            .exclude(status__in=[Status.FAILED, Status.REPLACED])
            .order_by("pk")
        )
        previous = Snapshot.objects.filter(
            kind=snapshot.kind, month=snapshot.month, status=Status.DONE
        ).exclude(pk=snapshot.pk)
        replaced = list(previous.values_list("pk", flat=True))
        previous.update(status=Status.REPLACED)
        snapshot.store_path = writer.commit()
        snapshot.status = Status.DONE
        snapshot.rows = writer.rows
        snapshot.finished_at = timezone.now()
        snapshot.save()
        audit_record(
            actor=actor,
            request=request,
            action="registers.import",
            obj=snapshot,
            detail={
                "kind": snapshot.kind,
                "month": snapshot.month,
                "rows": snapshot.rows,
                "replaced": replaced,
            },
        )


def register_import(
    *,
    kind: str,
    month: str,
    path: Path | str,
    actor: User | None = None,
    progress: Progress | None = None,
    snapshot: Snapshot | None = None,
    source_name: str = "",
    dry_run: bool = False,
    request: HttpRequest | None = None,
    store: str | None = None,
) -> Snapshot:
    """Check every record of the register file at `path`; when none has a problem, make it
    the snapshot of `kind` for `month` (YYYY-MM) in the analytics store, replacing the
    previous one at once, and return its Snapshot row.

    Any problem: raises RegisterRejected with all problems (row, column, reason); the store
    and the current snapshot are untouched, the attempt is recorded as a failed Snapshot.
    `dry_run` only checks and returns an unsaved Snapshot with the row count. `snapshot` is the
    pending row an upload created; `progress` a jobs Progress (0–100)."""
    shape = shape_of(kind)
    month = str(Month.parse(month))
    path = Path(path)
    file_format(path)
    fields = {"kind": kind, "month": month, "source_name": (source_name or path.name)[:255]}
    if dry_run:
        snapshot = Snapshot(**fields, created_by=actor)
    elif snapshot is None:
        snapshot = Snapshot.objects.create(**fields, status=Status.RUNNING, created_by=actor)
    else:
        snapshot.status = Status.RUNNING
        snapshot.save(update_fields=["status"])
    if progress is not None:
        progress.total(100)
    writer: SnapshotWriter | None = None
    try:
        if not dry_run:
            writer = SnapshotWriter(
                store or settings.ZIZHU_STORE, kind, month, REGISTER_SCHEMAS[shape]
            )
        records, problems = _check_file(shape, path, writer, progress)
        if problems:
            if writer is not None:
                writer.abort()
            if snapshot.pk:
                _reject(snapshot, problems, actor, request)
            _advance(progress, 100, _nothing_written(len(problems)))
            raise RegisterRejected(problems, snapshot if snapshot.pk else None)
        if writer is None:  # a dry run
            snapshot.rows = records
            return snapshot
        _publish(snapshot, writer, actor, request)
    except RegisterRejected:
        raise
    except BaseException as exc:
        log.exception("register import %s %s failed", kind, month)
        if writer is not None:
            writer.abort()
        if snapshot.pk:
            Snapshot.objects.filter(pk=snapshot.pk).update(
                status=Status.FAILED,
                # in the user's words: the error (English, perhaps quoting the file's values)
                # is in the log and in the job's result
                message=_failure_message(exc),
                finished_at=timezone.now(),
            )
        raise
    _advance(progress, 100, _("%(n)s rows written") % {"n": snapshot.rows})
    return snapshot


def _nothing_written(problems: int) -> str:
    return _("%(n)s problems found; nothing was written") % {"n": problems}


def _failure_message(exc: BaseException) -> str:
    if rolled_back(exc):
        return _(
            "The import stopped: the system was busy with other work at the same moment. "
            "Nothing of it was stored; import the file again."
        )
    if is_disk_full(exc):
        return _(
            "The import stopped: the server's disk is full. Nothing of it was stored; tell the "
            "system administrator, and import the file again once space is freed."
        )
    return _(
        "The import stopped on an error, which was recorded for the system administrator. "
        "Nothing of it was stored; import the file again, and if it stops again, tell the "
        "system administrator."
    )


def _check_file(
    shape: str, path: Path, writer: SnapshotWriter | None, progress: Progress | None
) -> tuple[int, list[Problem]]:
    """(records, problems) of the whole file; the store rows go to `writer` (when given)
    until the first problem.

    A second thread checks and hashes batch k while this one parses batch k+1: pyarrow's
    parser, its compute kernels and the compiled hash all run without the GIL. Batch k+1 is
    handed over only once batch k's problems are known, so the outcome is that of one thread.
    """
    hasher = KeyHasher() if writer is not None else None
    today = timezone.localdate()
    problems: list[Problem] = []
    records = 0

    language = translation.get_language()  # the checking thread writes messages in it too

    def check(batch: Batch) -> tuple[Batch, Checked]:
        with translation.override(language):
            checked = check_batch(shape, batch, today=today, hasher=None if problems else hasher)
        return batch, checked

    def take(pending: "Future[tuple[Batch, Checked]]") -> None:
        nonlocal records
        batch, checked = pending.result()
        records += checked.records
        problems.extend(checked.problems)
        if writer is not None and checked.table is not None:
            writer.write(checked.table)
        checked_so_far = _("%(records)s rows checked, %(problems)s problems") % {
            "records": records,
            "problems": len(problems),
        }
        _advance(progress, int(batch.fraction * 95), checked_so_far)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="register-check") as pool:
        pending: Future[tuple[Batch, Checked]] | None = None
        try:
            for batch in read_batches(path, FILE_COLUMNS[shape]):
                if pending is not None:
                    take(pending)
                pending = pool.submit(check, batch)
        except TableError as exc:
            problems += exc.problems
        if pending is not None:
            take(pending)
    problems.sort(key=lambda p: p.row)
    return records, problems


def register_upload(
    *,
    kind: str,
    month: str,
    upload: "UploadedFile[bytes]",
    actor: User | None,
    request: HttpRequest | None = None,
) -> Snapshot:
    """Keep an uploaded register file until its job has run, and queue the job. The web
    request never reads the file."""
    name = upload.name or ""  # a file of a form or the API always has one
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    with transaction.atomic():
        snapshot = Snapshot.objects.create(
            kind=kind,
            month=month,
            status=Status.PENDING,
            source_name=name[:255],
            created_by=actor,
        )
        snapshot.job = job_create(
            kind="register_import",
            params={"snapshot": snapshot.pk, "path": str(path)},
            actor=actor,
            request=request,
        )
        snapshot.save(update_fields=["job"])
    return snapshot
