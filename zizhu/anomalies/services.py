"""Writes of the anomaly alerts: runs, the replacement of a month's findings, explanations and
their review. Keyword-only, atomic, audited.

Who may explain and who may review is decided in zizhu.anomalies.policy, which the writes here
enforce; whether an object is in the user's scope at all is zizhu.access's job.

- A school's operator (school_operator of the finding's school) explains a finding; an
  explanation can be changed until it is accepted, and after a rejection it is given again.
- The supervising authority reviews: an authority operator whose scope contains the school,
  i.e. the school's parent unit or any authority above it. Normally the parent (the county)
  does it; a prefecture or province may stand in where the county has no operator. Supervisors
  and centre leaders are read-only (docs/domain.md, roles and menus).
"""

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple, TypedDict

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.models import User
from zizhu.anomalies.models import (
    ACTIVE_RUN_STATUSES,
    Decision,
    Engine,
    Explanation,
    Finding,
    FindingStatus,
    Run,
    RunStatus,
    Verdict,
)
from zizhu.anomalies.policy import can_explain, can_review
from zizhu.anomalies.selectors import FindingRow
from zizhu.audit.models import Result
from zizhu.audit.services import audit_record
from zizhu.jobs.services import Progress, job_create
from zizhu.lib.periods import Month
from zizhu.ops import metrics
from zizhu.ops.errors import rolled_back
from zizhu.ops.storage import is_disk_full
from zizhu.recipients.models import RecipientList, Term
from zizhu.recipients.store_export import lists_export, lists_in_force
from zizhu.store.layout import Store, run_folder
from zizhu.units.models import Level, Unit

log = logging.getLogger(__name__)

JOB_KIND = "anomaly_run"
BATCH = 2000  # findings per INSERT (and per Arrow batch read)


class RunConflict(Exception):
    """A run of the month is already pending or running."""


class RunError(Exception):
    """The run cannot go ahead (e.g. no recipient list of the month's term is approved)."""


class ExplanationError(ValueError):
    """The explanation or review is not possible in the finding's current state."""


# --- runs -----------------------------------------------------------------------------------


def _active_run_exists(month: str) -> bool:
    return Run.objects.filter(month=month, status__in=ACTIVE_RUN_STATUSES).exists()


def _refuse_if_active(month: str) -> None:
    if _active_run_exists(month):
        raise RunConflict(_("A check run of %(month)s is already in progress.") % {"month": month})


def run_create(
    *,
    month: str,
    engine: str = Engine.DUCKDB,
    actor: User | None = None,
    request: HttpRequest | None = None,
    enqueue: bool = True,
) -> Run:
    """A pending run of the month and the job that will carry it out (enqueued on commit).

    Refused with RunConflict while another run of the month is pending or running: checked
    here, and guaranteed by the partial unique constraint when two requests race. Refused with
    RunError while no recipient list of the month's term is approved (nothing to check).
    """
    checked = Month.parse(month)
    month = str(checked)
    if engine not in Engine.values:
        raise ValueError(f"engine {engine!r}: use {' or '.join(Engine.values)}")
    _refuse_without_lists(checked)
    try:
        with transaction.atomic():
            _refuse_if_active(month)
            run = Run.objects.create(month=month, engine=engine, created_by=actor)
            run.job = job_create(
                kind=JOB_KIND,
                params={"run": run.pk, "month": month, "engine": engine},
                actor=actor,
                request=request,
                enqueue=enqueue,
            )
            run.save(update_fields=["job"])
            audit_record(
                actor=actor,
                request=request,
                action="anomalies.run_create",
                obj=run,
                detail={"month": month, "engine": engine},
            )
    except IntegrityError as exc:
        if _active_run_exists(month):
            raise RunConflict(
                _("A check run of %(month)s is already in progress.") % {"month": month}
            ) from exc
        raise
    return run


class _NoProgress:
    def total(self, total: int) -> None:
        pass

    def advance(self, done: int, message: str = "") -> None:
        pass


def _no_lists_error(month: Month) -> RunError:
    return RunError(
        _(
            "No recipient list of school year %(year)s, %(term)s term is approved yet: "
            "there is nothing to check for %(month)s."
        )
        % {"year": month.school_year, "term": Term(month.term).label, "month": month}
    )


def _refuse_without_lists(month: Month) -> None:
    if not lists_in_force(month).filter(year=month.school_year, term=month.term).exists():
        raise _no_lists_error(month)


def _write_lists(run: Run, store: str) -> str:
    """Record the list versions in force for the run's month and write exactly those into
    the run's folder of the store; the folder's location, for the engine."""
    month = Month.parse(run.month)
    ids = list(lists_in_force(month).values_list("pk", flat=True))
    through = Run.lists.through
    through.objects.bulk_create(
        [through(run_id=run.pk, recipientlist_id=pk) for pk in ids], batch_size=BATCH
    )
    if not RecipientList.objects.filter(
        check_runs=run, year=month.school_year, term=month.term
    ).exists():
        raise _no_lists_error(month)
    location = f"{store.rstrip('/')}/{run_folder(run.pk)}"
    written = lists_export(
        month=month, store=location, lists=RecipientList.objects.filter(check_runs=run)
    )
    Run.objects.filter(pk=run.pk).update(list_rows=written)
    return location


def _run_engine(engine: str, store: str, month: str, lists_store: str) -> pa.Table:
    from zizhu.anomalies.engine import run_duckdb, run_spark

    if engine == Engine.SPARK:
        return run_spark(store, month, master=settings.ZIZHU_SPARK_MASTER, lists_store=lists_store)
    return run_duckdb(store, month, lists_store=lists_store)


def _school_ids(codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        found.update(
            Unit.objects.filter(code__in=chunk, level=Level.SCHOOL).values_list("code", "id")
        )
    return found


def _explained_statuses(month: str) -> dict[tuple[int, int, int, str], str]:
    """The status each explained identity (rule, school id, pid, counterpart school code) of
    the month gives its finding (one query)."""
    rows = Explanation.objects.filter(month=month).values_list(
        "rule", "school_id", "pid", "counterpart_school_code", "decision"
    )
    return {
        (rule, school, pid, counterpart): decision or FindingStatus.EXPLAINED
        for rule, school, pid, counterpart, decision in rows
    }


@dataclass
class _Prepared:
    batches: list[list[Finding]]
    counts: Counter[int]  # findings per rule number


def _prepare(run: Run, table: pa.Table) -> _Prepared:
    """The findings as model rows in batches. Subjects come from the database's own lists, so
    every school is a unit; one that is not (its code changed under the run) fails the run."""
    codes = pc.unique(table.column("school_code")).to_pylist() if table.num_rows else []
    schools = _school_ids(codes)
    unknown = sorted(set(codes) - set(schools))
    if unknown:
        raise RunError(
            _(
                "Schools of the checked lists are no longer units (their codes changed during "
                "the run): %(codes)s. Nothing was written; run it again."
            )
            % {"codes": "、".join(map(str, unknown[:20]))}
        )
    statuses = _explained_statuses(run.month)
    batches: list[list[Finding]] = []
    counts: Counter[int] = Counter()
    for batch in table.to_batches(max_chunksize=BATCH):
        objects = []
        for row in batch.to_pylist():
            school = schools[row["school_code"]]
            counterpart = row["counterpart_school_code"] or ""
            objects.append(
                Finding(
                    run=run,
                    month=run.month,
                    rule=row["rule"],
                    risk=row["risk"],
                    programme=row["programme"],
                    school_id=school,
                    pid=row["pid"],
                    row_id=row["row_id"],
                    id_masked=row["id_masked"] or "",
                    counterpart_school_code=counterpart,
                    counterpart_kind=row["counterpart_kind"] or "",
                    detail=row["detail"] or "",
                    status=statuses.get(
                        (row["rule"], school, row["pid"], counterpart), FindingStatus.OPEN
                    ),
                )
            )
            counts[row["rule"]] += 1
        if objects:
            batches.append(objects)
    return _Prepared(batches, counts)


def _insert_batch(objects: list[Finding]) -> None:
    Finding.objects.bulk_create(objects, batch_size=BATCH)


def _replace_findings(
    run: Run, prepared: _Prepared, progress: Progress | _NoProgress, started: float
) -> None:
    """Delete the month's findings and insert the new ones, in one transaction: a failure
    anywhere leaves the previous findings as they were."""
    from zizhu.anomalies.engine import load_rules

    written = 0
    with transaction.atomic():
        Finding.objects.filter(month=run.month).delete()
        for objects in prepared.batches:
            _insert_batch(objects)
            written += len(objects)
            progress.advance(2 + written)
        counts = {str(rule.number): prepared.counts.get(rule.number, 0) for rule in load_rules()}
        now = timezone.now()
        finished = Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.DONE,
            finished_at=now,
            duration=timedelta(seconds=time.monotonic() - started),
            counts=counts,
            total=written,
        )
        if not finished:  # failed meanwhile as abandoned: keep the previous findings
            raise RunError(
                _(
                    "This run was marked failed while it ran: its findings were dropped and the "
                    "previous ones are kept."
                )
            )


def run_execute(*, run_id: int, progress: Progress | None = None, store: str | None = None) -> Run:
    """Carry out a pending run: claim it (pending → running, a conditional UPDATE), write the
    approved recipient lists in force for its month into its own folder of the store
    (recording their versions), run the engine on them and the store's registers, and replace
    the month's findings. On any failure the run is marked failed with the error, the previous
    findings stay, and the error is raised. The run's folder is removed either way.
    """
    reporter = progress or _NoProgress()
    store = store or settings.ZIZHU_STORE
    claimed = Run.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        raise RunConflict(f"run {run_id} is not pending")
    run = Run.objects.select_related("created_by").get(pk=run_id)
    started = time.monotonic()
    try:
        reporter.total(2)
        reporter.advance(0, _("Writing the approved recipient lists"))
        lists_store = _write_lists(run, store)
        reporter.advance(1, _("Running the checks (%(engine)s)") % {"engine": run.engine})
        table = _run_engine(run.engine, store, run.month, lists_store)
        prepared = _prepare(run, table)
        total = sum(len(b) for b in prepared.batches)
        reporter.total(total + 2)
        reporter.advance(2, _("Writing %(n)s findings") % {"n": total})
        _replace_findings(run, prepared, reporter, started)
    except Exception as exc:
        metrics.run_finished(run.engine, "failed", time.monotonic() - started)
        log.exception("anomaly run %s failed", run_id)
        Run.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            duration=timedelta(seconds=time.monotonic() - started),
            error=_run_error(exc),
        )
        audit_record(
            actor=run.created_by,
            action="anomalies.run",
            obj=run,
            result=Result.FAILURE,
            detail={"month": run.month, "engine": run.engine, "error": str(exc)[:500]},
        )
        raise
    finally:
        Store(store).remove(run_folder(run.pk))
    run.refresh_from_db()
    metrics.run_finished(run.engine, "done", time.monotonic() - started)
    reporter.advance(run.total + 2, _("%(n)s findings") % {"n": run.total})
    audit_record(
        actor=run.created_by,
        action="anomalies.run",
        obj=run,
        detail={
            "month": run.month,
            "engine": run.engine,
            "findings": run.total,
            "lists": run.lists.count(),
        },
    )
    return run


def _run_error(exc: Exception) -> str:
    if is_disk_full(exc):
        return _(
            "The disk of the analytics store is full: the run wrote nothing and the previous "
            "findings are kept. Free space and run it again."
        )
    if isinstance(exc, RunError):
        return f"{exc}"[:4000]
    # in the user's words: the error itself is in the log, the audit event and the job's result
    if rolled_back(exc):
        return _(
            "The run stopped: the system was busy with other work at the same moment. It wrote "
            "nothing and the previous findings are kept; run it again."
        )
    return _(
        "The run stopped on an error, which was recorded for the system administrator. It "
        "wrote nothing and the previous findings are kept; run it again, and if it stops "
        "again, tell the system administrator."
    )


def run_abandon(*, run: Run, actor: User | None, request: HttpRequest | None = None) -> bool:
    """Mark a run that will never finish (its worker died) as failed, so that its month can
    run again. The findings are untouched. False if the run had finished meanwhile."""
    now = timezone.now()
    changed = Run.objects.filter(pk=run.pk, status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.FAILED,
        finished_at=now,
        started_at=Coalesce("started_at", Value(now)),
        error=_("Marked failed by %(user)s: the run would not finish.")
        % {"user": getattr(actor, "username", "")},
    )
    if changed:
        audit_record(
            actor=actor,
            request=request,
            action="anomalies.run_abandon",
            obj=run,
            detail={"month": run.month},
        )
    return bool(changed)


def run_abandoned(run_id: int, reason: str) -> bool:
    """The job carrying out a run was found abandoned (its worker died): fail the run with the
    reason and remove its folder of the store. The findings are untouched: the run's
    replacement is one transaction that died with its worker."""
    now = timezone.now()
    changed = Run.objects.filter(pk=run_id, status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.FAILED,
        finished_at=now,
        started_at=Coalesce("started_at", Value(now)),
        error=reason,
    )
    Store(settings.ZIZHU_STORE).remove(run_folder(run_id))
    return bool(changed)


def run_scheduled(*, today: date | None = None) -> Run | None:
    """The monthly run: checks the current month (see docs/anomaly-alerts.md), unless a run of
    it is already in progress."""
    day = today or timezone.localdate()
    month = f"{day.year:04d}-{day.month:02d}"
    try:
        return run_create(month=month, engine=settings.ZIZHU_ANOMALY_ENGINE)
    except RunConflict:
        log.warning("scheduled anomaly run of %s skipped: a run is in progress", month)
    except RunError as exc:
        log.warning("scheduled anomaly run of %s skipped: %s", month, exc)
    return None


# --- explanations and review ----------------------------------------------------------------


class Identity(TypedDict):
    """What makes a finding the same one across re-runs; explanations are keyed by it."""

    month: str
    rule: int
    school_id: int
    pid: int
    counterpart_school_code: str


def identity(finding: Finding) -> Identity:
    return {
        "month": finding.month,
        "rule": finding.rule,
        "school_id": finding.school_id,
        "pid": finding.pid,
        "counterpart_school_code": finding.counterpart_school_code,
    }


def explanation_for(finding: Finding) -> Explanation | None:
    return (
        Explanation.objects.filter(
            **identity(finding),
        )
        .select_related("author", "reviewer")
        .first()
    )


def _set_finding_status(explanation: Explanation, status: str) -> None:
    Finding.objects.filter(
        month=explanation.month,
        rule=explanation.rule,
        school_id=explanation.school_id,
        pid=explanation.pid,
        counterpart_school_code=explanation.counterpart_school_code,
    ).update(status=status)


class _Attachment(NamedTuple):
    data: bytes
    content_type: str
    stored_name: str  # random
    name: str  # as uploaded


def _checked_attachment(attachment: "UploadedFile[bytes]") -> _Attachment:
    """The bytes to store (an image re-encoded), content type, random storage name and own
    name, judged by its content (zizhu.lib.uploads; raises UploadRejected)."""
    from zizhu.lib.uploads import check_attachment, random_storage_name

    name = attachment.name or ""  # a file of a form or the API always has one
    # An UploadedFile is a binary file; its stubs make it IO[bytes], which is not BinaryIO.
    info = check_attachment(name, attachment)  # type: ignore[arg-type]
    return _Attachment(info.content, info.content_type, random_storage_name(info.extension), name)


def explanation_submit(
    *,
    finding: Finding,
    verdict: str,
    note: str,
    attachment: "UploadedFile[bytes] | None" = None,
    actor: User,
    request: HttpRequest | None = None,
) -> Explanation:
    """The school's explanation of a finding: 属实 / 不属实, a note, an optional attachment
    (checked by content; raises zizhu.lib.uploads.UploadRejected). Replaces an explanation not
    yet accepted; the finding's status becomes `explained`."""
    if not can_explain(actor, finding):
        raise PermissionDenied
    if verdict not in Verdict.values:
        raise ExplanationError(_("Choose whether the finding is accurate."))
    upload = _checked_attachment(attachment) if attachment else None
    with transaction.atomic():
        explanation = (
            Explanation.objects.select_for_update(of=("self",))
            .filter(
                **identity(finding),
            )
            .first()
        )
        if explanation is not None and explanation.decision == Decision.ACCEPTED:
            raise ExplanationError(_("The explanation was accepted and can no longer change."))
        replaced = None
        if explanation is None:
            explanation = Explanation(
                **identity(finding),
            )
        explanation.verdict = verdict
        explanation.note = note.strip()[:2000]
        explanation.author = actor
        explanation.at = timezone.now()
        explanation.decision = ""
        explanation.comment = ""
        explanation.reviewer = None
        explanation.reviewed_at = None
        if upload is not None:
            data, content_type, stored_name, name = upload
            replaced = explanation.attachment.name or None
            explanation.attachment.save(stored_name, ContentFile(data), save=False)
            explanation.attachment_name = name[-200:]
            explanation.attachment_type = content_type
        explanation.save()
        _set_finding_status(explanation, FindingStatus.EXPLAINED)
        audit_record(
            actor=actor,
            request=request,
            action="anomalies.explain",
            obj=explanation,
            detail={
                "finding": finding.pk,
                "month": finding.month,
                "rule": finding.rule,
                "verdict": verdict,
                "attachment": explanation.attachment_name,
            },
        )
        if replaced:
            storage = explanation.attachment.storage
            transaction.on_commit(lambda: storage.delete(replaced))
    return explanation


def explanation_review(
    *,
    finding: Finding,
    decision: str,
    comment: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Explanation:
    """The supervising authority accepts or rejects the school's explanation."""
    if not can_review(actor, finding):
        raise PermissionDenied
    if decision not in Decision.values:
        raise ExplanationError(_("Choose accept or reject."))
    comment = comment.strip()[:2000]
    if decision == Decision.REJECTED and not comment:
        raise ExplanationError(_("Say why the explanation is rejected."))
    with transaction.atomic():
        explanation = (
            Explanation.objects.select_for_update(of=("self",))
            .filter(
                **identity(finding),
            )
            .first()
        )
        if explanation is None:
            raise ExplanationError(_("The school has not explained this finding yet."))
        if explanation.decision:
            raise ExplanationError(_("This explanation was already reviewed."))
        explanation.decision = decision
        explanation.comment = comment
        explanation.reviewer = actor
        explanation.reviewed_at = timezone.now()
        explanation.save(update_fields=["decision", "comment", "reviewer", "reviewed_at"])
        _set_finding_status(explanation, decision)
        audit_record(
            actor=actor,
            request=request,
            action="anomalies.review",
            obj=explanation,
            detail={
                "finding": finding.pk,
                "month": finding.month,
                "rule": finding.rule,
                "decision": decision,
            },
        )
    return explanation


def audit_full_view(request: HttpRequest, shown: list[FindingRow]) -> None:
    """Records that the user saw full ID numbers: the rows of `shown` (from `finding_rows`)
    that are not masked, i.e. a school user's own students, like a recipient list's full view.
    The findings pages and the API call it for every page and detail they show (the API's
    request wraps a Django request and carries the same user and address)."""
    full = [row.finding.pk for row in shown if row.full]
    if full:
        audit_record(
            request=request,
            action="anomalies.view_full",
            detail={"findings": full[:100], "count": len(full)},
        )
