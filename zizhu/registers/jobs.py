"""The register import as a background job: uploads run here, with progress."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from zizhu.jobs.registry import job_kind
from zizhu.registers.models import Snapshot
from zizhu.registers.services import RegisterRejected, register_import


@job_kind("register_import", title=_("Register import"), page="registers:upload")
def register_import_job(job, progress):
    path = Path(job.params["path"])
    snapshot = Snapshot.objects.get(pk=job.params["snapshot"])
    try:
        register_import(
            kind=snapshot.kind,
            month=snapshot.month,
            path=path,
            actor=job.created_by,
            progress=progress,
            snapshot=snapshot,
        )
    except RegisterRejected as exc:
        return {"ok": False, "snapshot": snapshot.pk, "error_count": len(exc.problems)}
    finally:
        # raw values of other systems' students are not kept, not even the upload
        path.unlink(missing_ok=True)
    return {"ok": True, "snapshot": snapshot.pk, "rows": snapshot.rows}
