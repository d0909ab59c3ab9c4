"""Stored uploads judged again by today's upload checks (`manage.py recheck_uploads`).

Vouchers, explanation attachments and filing bodies stored before the PDF action refusal and
the image re-encoding (docs/adr/0024) were never looked at by them. `uploads_recheck` reads
every stored file and runs the checks of the upload path on it (`zizhu.lib.uploads
.check_attachment`, `check_pdf_document` for filing bodies, and `only_pixels` for images the
upload would have re-encoded). What it finds, with `fix`:

- a file the upload would refuse now is moved under the storage's `quarantine/` folder; its
  record stays and points there, and downloads answer 404 (`zizhu.lib.downloads`);
- an image that carries more than its pixels (EXIF, comments, a trailer) is replaced by its
  re-encoding, under a new random name; the record's size, hash and type follow.

Each fix is audited (`uploads.quarantine`, `uploads.reencode`) with the record, its unit and
the reason; the run itself is audited (`uploads.recheck`). The old file leaves the storage once
the record points at the new one. Running it again finds nothing new.

The three kinds of record belong to apps above the platform; they are reached through the app
registry by label, so this module imports none of them.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from zizhu.audit.services import audit_record
from zizhu.lib.uploads import (
    QUARANTINE_FOLDER,
    AttachmentInfo,
    UploadRejected,
    check_attachment,
    check_pdf_document,
    random_storage_name,
)
from zizhu.lib.uploads.images import only_pixels


@dataclass(frozen=True)
class StoredKind:
    """Where one kind of upload is kept: the model, its FileField, the fields that describe
    the file, and the path from the record to its unit."""

    model: str
    file: str
    unit: str
    content_type: str = ""
    size: str = ""
    sha256: str = ""
    pdf_only: bool = False


KINDS = (
    StoredKind("vouchers.VoucherFile", "file", "voucher__unit", "content_type", "size", "sha256"),
    StoredKind("anomalies.Explanation", "attachment", "school", "attachment_type"),
    StoredKind("funds.Filing", "document", "unit", pdf_only=True),
)

REFUSED, REENCODE, MISSING = "refused", "reencode", "missing"


@dataclass
class Found:
    """One stored file that today's checks would not have stored as it is."""

    record: models.Model
    kind: StoredKind
    unit_code: str
    outcome: str  # REFUSED, REENCODE or MISSING
    reason: str  # Chinese
    fixed_to: str = ""  # the storage name after the fix
    content: bytes = field(default=b"", repr=False)  # as stored, read once by the check
    info: AttachmentInfo | None = None  # the check's result (the re-encoding) for REENCODE


@dataclass
class Tally:
    checked: int = 0
    found: dict[str, int] = field(default_factory=lambda: {REFUSED: 0, REENCODE: 0, MISSING: 0})
    fixed: int = 0


def uploads_recheck(*, fix: bool, report: Callable[[Found], None]) -> Tally:
    """Judge every stored upload again; report each one the checks would not store as it is,
    and with `fix` quarantine or re-encode it (each audited)."""
    tally = Tally()
    for kind in KINDS:
        for record, unit_code in _stored(kind):
            tally.checked += 1
            found = _judge(record, kind, unit_code)
            if found is None:
                continue
            tally.found[found.outcome] += 1
            if fix and found.outcome != MISSING:
                _fix(found)
                tally.fixed += 1
            report(found)
    audit_record(
        action="uploads.recheck",
        detail={"checked": tally.checked, **tally.found, "fixed": tally.fixed},
    )
    return tally


def _stored(kind: StoredKind) -> Iterator[tuple[models.Model, str]]:
    model = apps.get_model(kind.model)
    records = (
        model.objects.exclude(**{kind.file: ""})
        .exclude(**{f"{kind.file}__startswith": f"{QUARANTINE_FOLDER}/"})
        .select_related(kind.unit)
        .order_by("pk")
    )
    for record in records.iterator(chunk_size=200):
        unit = record
        for step in kind.unit.split("__"):
            unit = getattr(unit, step)
        yield record, unit.code


def _judge(record: models.Model, kind: StoredKind, unit_code: str) -> Found | None:
    stored = getattr(record, kind.file)
    try:
        with stored.storage.open(stored.name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        return Found(record, kind, unit_code, MISSING, _("The stored file is missing"))
    try:
        check = check_pdf_document if kind.pdf_only else check_attachment
        info = check(stored.name, content)
    except UploadRejected as exc:
        return Found(record, kind, unit_code, REFUSED, exc.message, content=content)
    if info.kind != "pdf" and not only_pixels(content, info.kind):
        reason = _("The image carries more than its pixels (metadata or data after its end)")
        return Found(record, kind, unit_code, REENCODE, reason, content=content, info=info)
    return None


def _fix(found: Found) -> None:
    record, kind = found.record, found.kind
    stored = getattr(record, kind.file)
    storage, old, content, info = stored.storage, stored.name, found.content, found.info
    changes: dict[str, object] = {}
    detail: dict[str, object] = {"unit": found.unit_code, "reason": found.reason, "from": old}
    if found.outcome == REFUSED:
        new = storage.save(f"{QUARANTINE_FOLDER}/{old}", ContentFile(content))
    else:
        assert info is not None  # a REENCODE carries the check's result
        folder = old.rpartition("/")[0]
        name = random_storage_name(info.extension)
        new = storage.save(f"{folder}/{name}" if folder else name, ContentFile(info.content))
        described = {
            kind.content_type: info.content_type,
            kind.size: info.size,
            kind.sha256: hashlib.sha256(info.content).hexdigest(),
        }
        changes.update((key, value) for key, value in described.items() if key)
        detail |= {"size_before": len(content), "size_after": info.size}
    changes[kind.file] = new
    with transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(**changes)
        audit_record(
            action="uploads.quarantine" if found.outcome == REFUSED else "uploads.reencode",
            obj=record,
            detail=detail | {"to": new},
        )
        transaction.on_commit(lambda: storage.delete(old))
    found.fixed_to = new
