"""The error pages: a Chinese page without a stack trace, 503 when a service is away or when
PostgreSQL rolled the request's transaction back to end a deadlock or a serialization failure
(the system was busy: nothing was saved, submitting again works).

Rendered without the database (no context processors, no user): they must work while the
database is the thing that is down.
"""

import sys
from typing import NamedTuple

from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zizhu.ops.storage import is_disk_full


class QueueUnavailable(RuntimeError):
    """The job queue (Redis) cannot be reached: the job was not started."""


# SQLSTATEs of a transaction PostgreSQL rolled back so that another one could go on: nothing of
# it was saved, and the same request again normally passes.
ROLLED_BACK = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected

# What a 500 says, on the plain page, in the page shell (zizhu.web.errors) and in the API's JSON.
SERVER_ERROR = gettext_lazy(
    "Something went wrong on the server. The error was recorded; please try again later."
)


def _page(status: int, title: str, text: str, retry_after: int = 30) -> HttpResponse:
    html = render_to_string("ops/error.html", {"title": title, "text": text, "status": status})
    response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(retry_after)
    return response


class Outage(NamedTuple):
    """Why a request got 503: `code` names it for the API's JSON error; `title` and `text`
    are what the page (and the API's message) says; `retry_after` is the Retry-After."""

    code: str
    title: str
    text: str
    retry_after: int = 30


def outage(exc: BaseException | None) -> Outage | None:
    """The 503 an error calls for (a service away, or the system busy), else None."""
    if isinstance(exc, QueueUnavailable):
        return Outage(
            "queue_unavailable",
            _("The job queue is unavailable"),
            _(
                "The background job queue cannot be reached, so the job was not started and "
                "nothing was saved. Try again in a few minutes; if it persists, tell the "
                "system administrator."
            ),
        )
    if exc is not None and is_disk_full(exc):
        return Outage(
            "disk_full",
            _("The disk is full"),
            _(
                "The server has no disk space left, so nothing of this request was saved. "
                "Tell the system administrator; try again once space is freed."
            ),
        )
    if rolled_back(exc):
        return Outage(
            "busy",
            _("The system was busy"),
            _(
                "The system was busy with other submissions at the same moment, so this one "
                "was stopped and nothing of it was saved. Please submit it again."
            ),
            retry_after=1,
        )
    if isinstance(exc, DatabaseError) and _database_unreachable(exc):
        return Outage(
            "database_unavailable",
            _("The service is temporarily unavailable"),
            _(
                "The database cannot be reached at the moment. Nothing of this request was "
                "saved. Try again in a minute."
            ),
        )
    return None


def server_error(request, *args, **kwargs):
    found = outage(sys.exc_info()[1])
    if found is not None:
        return _page(503, found.title, found.text, retry_after=found.retry_after)
    return _page(500, _("Server error"), str(SERVER_ERROR))


def rolled_back(exc: BaseException | None) -> bool:
    """A deadlock or serialization failure: the database error (Django's, or psycopg's that
    Django's wraps) has one of the `ROLLED_BACK` SQLSTATEs."""
    for _depth in range(5):  # bounded: a chain of causes could loop
        if exc is None:
            return False
        if getattr(exc, "sqlstate", None) in ROLLED_BACK:
            return True
        exc = exc.__cause__
    return False


def _database_unreachable(exc: DatabaseError) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)
