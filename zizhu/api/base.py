"""What every API view shares: the audit of each token use, and idempotent writes.

A write (POST, PUT, PATCH, DELETE) may carry an `Idempotency-Key` header. The key is inserted
under the UNIQUE (user, key) constraint in the same transaction as the write: the first request
with a key writes and stores its answer; a repetition (sequential, or concurrent: it waits for
the first one's transaction) writes nothing and gets the first answer again, with
`Idempotent-Replayed: true`. A write that fails keeps nothing, so the same key can be retried.
"""

import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import generics
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from zizhu.api.errors import Conflict
from zizhu.api.models import ApiToken, IdempotencyKey
from zizhu.audit.services import audit_record

WRITES = ("POST", "PUT", "PATCH", "DELETE")
KEY = re.compile(r"^[A-Za-z0-9_\-.:]{1,100}$")


class _Failed(Exception):
    def __init__(self, response):
        self.response = response


def _fingerprint(request) -> str:
    """The request's method, path and body (for a file upload: its length, since the body is
    streamed to disk and not kept in memory)."""
    raw = request._request
    multipart = raw.content_type.startswith("multipart/")
    if multipart or raw._read_started:
        body = raw.META.get("CONTENT_LENGTH", "").encode()
    else:
        body = raw.body
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), body):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def _stored(response) -> dict | list | None:
    if getattr(response, "data", None) is None:
        return None
    return json.loads(JSONRenderer().render(response.data))


def idempotent(request, handler):
    key = request.headers.get("Idempotency-Key", "")
    if not KEY.match(key):
        raise Conflict(_("The Idempotency-Key header must be 1–100 letters, digits or -_.:"))
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path[:300],
                fingerprint=fingerprint,
            )
            response = handler()
            if not 200 <= response.status_code < 300:
                raise _Failed(response)
            record.status, record.body = response.status_code, _stored(response)
            record.save(update_fields=["status", "body"])
            return response
    except _Failed as failed:
        return failed.response
    except IntegrityError:
        first = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if first is None:
            raise
    if first.fingerprint != fingerprint or first.status is None:
        raise Conflict(_("This Idempotency-Key was used for another request."))
    return Response(first.body, status=first.status, headers={"Idempotent-Replayed": "true"})


class ApiMixin:
    def dispatch(self, request, *args, **kwargs):
        """APIView.dispatch, with idempotent writes."""
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            method = request.method.lower()
            handler = (
                getattr(self, method, self.http_method_not_allowed)
                if method in self.http_method_names
                else self.http_method_not_allowed
            )
            if request.method in WRITES and "Idempotency-Key" in request.headers:
                response = idempotent(request, lambda: handler(request, *args, **kwargs))
            else:
                response = handler(request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            audit_record(
                actor=token.user,
                request=request._request,
                action="api.request",
                detail={
                    "token": token.pk,
                    "method": request.method,
                    "path": request.path[:300],
                    "status": response.status_code,
                },
            )
        return response


class ApiView(ApiMixin, APIView):
    pass


class ListView(ApiMixin, generics.ListAPIView):
    pass


class RetrieveView(ApiMixin, generics.RetrieveAPIView):
    pass
