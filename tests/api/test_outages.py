"""A service away or the system busy, reaching the REST API: 503 in the API's own JSON error
shape with Retry-After and the error pages' Chinese text, never an HTML page (docs/api.md);
any other error is a JSON 500. The real deadlock on PostgreSQL is in tests/ops/test_conflicts.py,
the real database outage in tests/stack/test_db_outage.py."""

import pytest
from django.db import OperationalError
from django.test import Client
from psycopg import errors

from zizhu.api.authentication import TokenAuthentication
from zizhu.audit.models import AuditEvent
from zizhu.ops.errors import QueueUnavailable


def wrapped(error: errors.OperationalError) -> OperationalError:
    """`error` as Django hands it on: its own OperationalError, caused by psycopg's."""
    try:
        raise OperationalError(str(error)) from error
    except OperationalError as django_error:
        return django_error


def assert_error(response, status: int, code: str, text: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.content.decode()
    assert "<html" not in body.lower() and "Traceback" not in body
    error = response.json()["error"]
    assert (error["code"], error["fields"]) == (code, [])
    assert text in error["message"], error
    return error


@pytest.mark.parametrize(
    ("error", "code", "text", "retry_after"),
    [
        (errors.DeadlockDetected("deadlock detected"), "busy", "系统繁忙", "1"),
        (wrapped(errors.SerializationFailure("could not serialize")), "busy", "请重新提交", "1"),
        (
            OperationalError("connection refused"),
            "database_unavailable",
            "数据库暂时无法连接",
            "30",
        ),
        (QueueUnavailable("down"), "queue_unavailable", "后台任务队列无法连接", "30"),
    ],
    ids=["deadlock", "serialization", "database", "queue"],
)
def test_an_outage_in_an_api_view_is_a_json_503(settings, token, error, code, text, retry_after):
    from tests.ops import broken_urls

    settings.ROOT_URLCONF = "tests.ops.broken_urls"
    broken_urls.ERROR[:] = [error]
    made = token("county_operator")
    client = Client(raise_request_exception=False)
    response = client.get("/api/broken/", HTTP_AUTHORIZATION=f"Bearer {made.value}")
    message = assert_error(response, 503, code, text)["message"]
    assert response["Retry-After"] == retry_after
    for english in ("deadlock", "serialize", "refused", "down", "Error"):
        assert english not in message
    # the request is audited with its status, as every token use is
    event = AuditEvent.objects.filter(action="api.request").latest("pk")
    assert event.detail["status"] == 503 and event.detail["path"] == "/api/broken/"


def test_the_database_unreachable_while_signing_in_is_a_json_503(monkeypatch, token):
    """Outside a view's own handling (here the token's lookup, and again the audit after it):
    the project's error handler answers an API address in the API's shape."""
    made = token("county_operator")

    def unreachable(self, request):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(TokenAuthentication, "authenticate", unreachable)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {made.value}")
    assert_error(response, 503, "database_unavailable", "数据库暂时无法连接")
    assert response["Retry-After"] == "30"


def test_any_other_error_is_a_json_500_and_pages_keep_their_page(settings, token, users):
    from tests.conftest import login_as
    from tests.ops import broken_urls

    settings.ROOT_URLCONF = "tests.ops.broken_urls"
    broken_urls.ERROR[:] = [ZeroDivisionError("boom")]
    made = token("county_operator")
    client = Client(raise_request_exception=False)
    response = client.get("/api/broken/", HTTP_AUTHORIZATION=f"Bearer {made.value}")
    assert_error(response, 500, "error", "服务器出错")
    assert "boom" not in response.content.decode() and not response.has_header("Retry-After")

    broken_urls.ERROR[:] = [wrapped(errors.DeadlockDetected("deadlock detected"))]
    login_as(client, users["county_operator"])
    page = client.get("/broken/")
    assert page.status_code == 503 and page["Content-Type"].startswith("text/html")
    assert "系统繁忙" in page.content.decode()


def test_the_schema_documents_the_503_for_every_operation(client, users):
    from tests.conftest import login_as

    login_as(client, users["county_operator"])
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert operations and all("503" in op["responses"] for op in operations)
    assert "Retry-After" in operations[0]["responses"]["503"]["description"]
