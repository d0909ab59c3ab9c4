"""Requests the application never needs to see: oversized bodies (413), NUL characters in the
address or in a parameter (400), too many fields or files (400).

A NUL would reach PostgreSQL, which refuses it in text and JSON with an error; oversized and
overfull requests are Django's own limits, answered here before a view runs so that no view
can turn them into a server error."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse
from django.utils.translation import gettext as _


def _body_limit(path: str) -> int:
    for prefix, limit in settings.ZIZHU_REQUEST_LIMITS:
        if path.startswith(prefix):
            return limit
    return settings.ZIZHU_REQUEST_MAX_BYTES


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _body_limit(request.path):
            return HttpResponse(_("The request is too large."), status=413)
        try:
            bad = "\x00" in request.path or _has_nul(request.GET)
            if not bad and request.method == "POST":
                bad = _has_nul(request.POST)
        except RequestDataTooBig:
            return HttpResponse(_("The request is too large."), status=413)
        except SuspiciousOperation:  # too many fields or files, a malformed body
            return HttpResponse(_("The request could not be read."), status=400)
        if bad:
            return HttpResponse(_("The request contains invalid characters."), status=400)
        return self.get_response(request)
