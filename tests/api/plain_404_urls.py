"""The project's URLconf (and its error handlers) with a plain Django view under /api/ that
raises Http404 outside the API's views, as a middleware or a non-API view would."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.urls import path

from zizhu.urls import handler404  # noqa: F401
from zizhu.urls import urlpatterns as project_urlpatterns


@login_not_required
def _missing(request):
    raise Http404


urlpatterns = [
    path("api/v1/plain/", _missing),
    path("plain/", _missing),
    *project_urlpatterns,
]
