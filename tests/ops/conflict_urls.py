"""The project's URLconf with a page and an API view whose transaction really deadlocks on
PostgreSQL with another transaction that the test runs (`OTHER`), and loses: a submission at a
busy moment."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response

from zizhu.api.base import ApiView
from zizhu.urls import handler500  # noqa: F401 - the project's error page
from zizhu.urls import urlpatterns as project_urlpatterns

# The test makes the table test_conflict_rows (rows 1 and 2) and puts here the other
# transaction's start: it locks row 2, then waits for row 1; the call returns once it waits.
OTHER: list[Callable[[], None]] = []


def _deadlock() -> None:
    """Writes row 1, then (once the other transaction holds row 2 and waits for row 1) row 2.
    This transaction looks for a deadlock after 10 ms of waiting, the other after 10 s:
    PostgreSQL rolls this one back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL deadlock_timeout = '10ms'")
        cursor.execute("UPDATE test_conflict_rows SET note = 'page' WHERE id = 1")
        OTHER[0]()
        cursor.execute("UPDATE test_conflict_rows SET note = 'page' WHERE id = 2")


def deadlocked(request):
    _deadlock()
    return HttpResponse("no deadlock")


class DeadlockedApi(ApiView):
    def post(self, request):
        _deadlock()
        return Response({"deadlock": False})


urlpatterns = [  # the test's API address before the API's own 404 for unknown ones
    path("api/deadlocked/", login_not_required(DeadlockedApi.as_view()), name="deadlocked_api"),
    *project_urlpatterns,
    path("deadlocked/", deadlocked, name="deadlocked"),
]
