"""The project's URLconf with a page and an API view that raise what the test puts in ERROR."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from zizhu.api.base import ApiView
from zizhu.urls import handler500  # noqa: F401 - the project's error page
from zizhu.urls import urlpatterns as project_urlpatterns

ERROR: list[Exception] = []


def broken(request):
    raise ERROR[0]


class BrokenApi(ApiView):
    def get(self, request):
        raise ERROR[0]


urlpatterns = [  # the test's API address before the API's own 404 for unknown ones
    path("api/broken/", login_not_required(BrokenApi.as_view()), name="broken_api"),
    *project_urlpatterns,
    path("broken/", broken, name="broken"),
]
