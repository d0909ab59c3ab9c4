"""Every API error in one JSON shape:

    {"error": {"code": "invalid", "message": "…", "fields": [{"path": "amounts.central",
     "message": "…"}]}}

Messages are in the request's language (Chinese by default); `fields` names each invalid input
by its path in the request body or query string ("" for the request as a whole).

A service away or the system busy (zizhu.ops.errors.outage: a deadlock or serialization failure,
the database, the job queue or the disk) is 503 with Retry-After and the error pages' Chinese
text, in this shape too, whether it reached a view or happened around it (`server_error`)."""

import logging
import sys

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from zizhu.lib.uploads import UploadRejected
from zizhu.ops.errors import SERVER_ERROR, Outage, outage

log = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail=None, code=None):
        super().__init__(detail or _("The request conflicts with the current state."), code)


class ServiceUnavailable(exceptions.APIException):
    """503: `wait` becomes the Retry-After header (as DRF does for 429)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE

    def __init__(self, found: Outage):
        super().__init__(found.text, found.code)
        self.wait = found.retry_after


class FieldErrorSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="出错的字段路径，例如 amounts.central；空表示整个请求")
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="错误代码，例如 invalid、not_found、throttled")
    message = serializers.CharField(help_text="错误说明（中文）")
    fields = FieldErrorSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


def _flatten(detail, path: str = "") -> list[dict]:
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            found += _flatten(value, f"{path}.{name}" if path and name else (name or path))
        return found
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"path": path, "message": str(item)} for item in detail]
        found = []
        for i, item in enumerate(detail):
            found += _flatten(item, f"{path}[{i}]")
        return found
    return [{"path": path, "message": str(detail)}]


def _translate(exc):
    """Django's and the services' exceptions as DRF's."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            )
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, UploadRejected):
        return exceptions.ValidationError({"file": [str(exc)]})
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(_("You may not do this."))
    if isinstance(exc, Http404):
        return exceptions.NotFound(_("Not found."))
    found = outage(exc)
    if found is not None:
        # the 5xx is the server's fault: the error stays in the log, as an error page's does
        log.error("API request answered 503 (%s)", found.code, exc_info=exc)
        return ServiceUnavailable(found)
    return exc


def exception_handler(exc, context):
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", _("The request has invalid data.")
        fields = _flatten(exc.detail)
        if len(fields) == 1 and not fields[0]["path"]:
            message = fields[0]["message"]
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        message, fields = str(detail), []
    response.data = _body(code, message, fields)
    return response


def error_response(status_code: int, code: str, message: str, fields=()) -> Response:
    set_rollback()
    return Response(_body(code, message, fields), status=status_code)


def server_error(request, *args, **kwargs) -> JsonResponse:
    """The API's answer to an error outside its views' handling (an authentication that
    cannot reach the database, a middleware): the error pages' status and text as JSON.
    Built without the database."""
    found = outage(sys.exc_info()[1])
    if found is None:
        return JsonResponse(_body("error", str(SERVER_ERROR)), status=500)
    response = JsonResponse(_body(found.code, found.text), status=503)
    response["Retry-After"] = str(found.retry_after)
    return response


def not_found(request, exception=None) -> JsonResponse:
    """The API's 404 for a request that missed its views' handling (see zizhu.urls)."""
    return JsonResponse(_body("not_found", _("Not found.")), status=404)


def _body(code: str, message: str, fields=()) -> dict:
    """The API's error shape (the module's docstring)."""
    return {"error": {"code": code, "message": message, "fields": list(fields)}}
