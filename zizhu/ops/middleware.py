import logging
import time

from django.utils.functional import LazyObject, empty

from zizhu.ops.metrics import REQUEST_SECONDS

access_log = logging.getLogger("zizhu.access")


class RequestMetricsMiddleware:
    """Times every request by view for /metrics, and writes the access log line (logger
    zizhu.access, INFO: on with ZIZHU_ACCESS_LOG, as JSON with ZIZHU_LOG_FORMAT=json)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unmatched"
        REQUEST_SECONDS.labels(view, request.method, str(response.status_code)).observe(seconds)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                seconds * 1000,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user": _user_id(request),
                },
            )
        return response


def _user_id(request):
    """The user's id if the request already loaded the user (never a query of its own): the
    session policy puts the loaded user in `request.user`; a lazy one not yet read is None."""
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        user = user._wrapped
    return None if user is empty else getattr(user, "pk", None)
