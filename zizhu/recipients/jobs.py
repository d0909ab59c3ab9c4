"""The recipient-list import as a background job (uploads run here, with progress)."""

from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from zizhu.catalogue.models import AidProject
from zizhu.jobs.registry import job_kind
from zizhu.lib.tabular import TableError, read_column_chunks
from zizhu.recipients.services import recipient_list_import
from zizhu.recipients.validation import ALIASES, COLUMNS
from zizhu.units.models import Unit

MAX_PROBLEMS_KEPT = 5000


def _rows(problems) -> list[list]:
    """Problems for the job page and the report: the column as the file's Chinese header."""
    return [
        [
            p.row,
            ALIASES.get(p.column, p.column),
            p.message,
        ]
        for p in problems[:MAX_PROBLEMS_KEPT]
    ]


def _kinds(problems) -> list[list]:
    """Each distinct message with its count of rows, the commonest first: 2,000 rows missing
    from the register read as one line, not 2,000."""
    counts = Counter(p.message for p in problems)
    return [[message, n] for message, n in counts.most_common()]


def _abandoned(job, reason: str) -> None:
    """A worker that died in the import leaves the uploaded file (plain personal data): gone."""
    Path(job.params["path"]).unlink(missing_ok=True)


@job_kind(
    "recipients_import",
    on_abandon=_abandoned,
    title=_("Recipient list import"),
    page="recipients:upload",
)
def recipients_import(job, progress):
    params = job.params
    path = Path(params["path"])
    progress.total(3)
    try:
        progress.advance(0, gettext("Reading the file"))
        # read, checked and kept a chunk at a time: the count is known once every row passed
        with read_column_chunks(path, COLUMNS) as table:
            result = recipient_list_import(
                school=Unit.objects.get(code=params["school"]),
                project=AidProject.objects.get(code=params["project"]),
                year=params["year"],
                term=params["term"],
                batch=params.get("batch", 1),
                rows=table,
                actor=job.created_by,
                checked=lambda rows: progress.advance(
                    1, gettext("%(n)s rows checked; saving") % {"n": rows}
                ),
            )
    except TableError as exc:
        found = gettext("%(n)s problems found; nothing was written") % {"n": len(exc.problems)}
        progress.advance(3, found)
        return {
            "ok": False,
            "problem_count": len(exc.problems),
            "problems": _rows(exc.problems),
            "links": [
                {
                    "label": pgettext("import job", "Download the error report (CSV)"),
                    "url": reverse("recipients:import_report", args=[job.pk]),
                },
            ],
        }
    except ValidationError as exc:
        progress.advance(3, "；".join(exc.messages))
        return {"ok": False, "problem_count": 1, "problems": [[0, "", m] for m in exc.messages]}
    finally:
        path.unlink(missing_ok=True)
    message = (
        gettext("Content unchanged")
        if result.unchanged
        else gettext("%(n)s rows saved") % {"n": result.rows}
    )
    progress.advance(3, message)
    links = [
        {
            "label": gettext("View the list"),
            "url": reverse("recipients:detail", args=[result.recipient_list.pk]),
        },
    ]
    if result.warnings:
        links.append(
            {
                "label": gettext("Download the warnings (CSV)"),
                "url": reverse("recipients:import_warnings", args=[job.pk]),
            }
        )
    return {
        "ok": True,
        "list_id": result.recipient_list.pk,
        "rows": result.rows,
        "unchanged": result.unchanged,
        "warnings": _rows(result.warnings),
        "warning_count": len(result.warnings),
        "warning_kinds": _kinds(result.warnings),
        "links": links,
    }
