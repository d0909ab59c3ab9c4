"""Probes and metrics, none behind the login (docs/operations.md, "Monitoring").

/healthz: the process answers. /readyz: the database, the job queue and the analytics store
are reachable (503 with what is not). /metrics: Prometheus, only to the scrape of the network
operator (ZIZHU_METRICS_ALLOWED_NETWORKS, and never through the reverse proxy).
"""

import ipaddress
import logging
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from zizhu.ops.metrics import exposition

log = logging.getLogger(__name__)


@login_not_required
@never_cache
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _queue() -> None:
    from huey.contrib.djhuey import HUEY

    storage = HUEY.storage
    if hasattr(storage, "conn") and hasattr(storage.conn, "ping"):  # Redis
        storage.conn.ping()
    else:
        storage.queue_size()  # SQLite file or memory: reads the queue


def _store() -> None:
    if "://" in settings.ZIZHU_STORE:  # object storage: read the root's entry
        import pyarrow.fs as pafs

        fs, root = pafs.FileSystem.from_uri(settings.ZIZHU_STORE)
        fs.get_file_info(root)
        return
    root = settings.ZIZHU_STORE
    os.makedirs(root, exist_ok=True)  # a new installation's store is an empty folder
    if not os.access(root, os.W_OK):
        raise PermissionError(f"the store folder {root} is not writable")


CHECKS = {"database": _database, "queue": _queue, "store": _store}


@login_not_required
@never_cache
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure makes the instance not ready
            log.warning("readiness: %s unreachable: %s", name, exc)
            results[name] = f"{type(exc).__name__}: {exc}"[:200]
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(results, status=200 if ready else 503)


def _scrape_allowed(request) -> bool:
    if request.META.get("HTTP_X_FORWARDED_FOR"):  # came through the public reverse proxy
        return False
    token = settings.ZIZHU_METRICS_TOKEN
    if token and request.META.get("HTTP_AUTHORIZATION", "") != f"Bearer {token}":
        return False
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(net) for net in settings.ZIZHU_METRICS_ALLOWED_NETWORKS)


@login_not_required
@never_cache
def metrics(request):
    if not _scrape_allowed(request):
        raise Http404
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
