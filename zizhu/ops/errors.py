"""The error pages: a Chinese page without a stack trace, 503 when a service is away.

Rendered without the database (no context processors, no user): they must work while the
database is the thing that is down.
"""

import sys

from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from zizhu.ops.storage import is_disk_full


class QueueUnavailable(RuntimeError):
    """The job queue (Redis) cannot be reached: the job was not started."""


def _page(status: int, title: str, text: str) -> HttpResponse:
    html = render_to_string("ops/error.html", {"title": title, "text": text, "status": status})
    response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response


def server_error(request, *args, **kwargs):
    exc = sys.exc_info()[1]
    if isinstance(exc, QueueUnavailable):
        return _page(
            503,
            _("The job queue is unavailable"),
            _(
                "The background job queue cannot be reached, so the job was not started and "
                "nothing was saved. Try again in a few minutes; if it persists, tell the "
                "system administrator."
            ),
        )
    if is_disk_full(exc):
        return _page(
            503,
            _("The disk is full"),
            _(
                "The server has no disk space left, so nothing of this request was saved. "
                "Tell the system administrator; try again once space is freed."
            ),
        )
    if isinstance(exc, DatabaseError) and _database_unreachable(exc):
        return _page(
            503,
            _("The service is temporarily unavailable"),
            _(
                "The database cannot be reached at the moment. Nothing of this request was "
                "saved. Try again in a minute."
            ),
        )
    return _page(
        500,
        _("Server error"),
        _("Something went wrong on the server. The error was recorded; please try again later."),
    )


def _database_unreachable(exc: DatabaseError) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)
