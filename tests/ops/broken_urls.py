"""The project's URLconf with a page that raises what the test puts in ERROR."""

from django.urls import path

from zizhu.urls import handler500  # noqa: F401 - the project's error page
from zizhu.urls import urlpatterns as project_urlpatterns

ERROR: list[Exception] = []


def broken(request):
    raise ERROR[0]


urlpatterns = [*project_urlpatterns, path("broken/", broken, name="broken")]
