"""/healthz, /readyz, /metrics, JSON logs and the error pages (docs/operations.md)."""

import json
import logging

import pytest
from django.db import OperationalError
from django.test import Client

from tests.conftest import login_as
from zizhu.ops.errors import QueueUnavailable
from zizhu.ops.logs import JsonFormatter


def test_healthz_and_readyz_answer_without_login(db, client):
    assert client.get("/healthz").content == b"ok\n"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok", "queue": "ok", "store": "ok"}


def test_readyz_says_what_is_unreachable(db, client, settings, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    settings.ZIZHU_STORE = str(blocked / "store")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["database"] == "ok"
    assert ready.json()["store"].startswith(("FileExistsError", "NotADirectoryError"))


def test_metrics_show_request_latency_by_view_and_jobs_from_the_database(client, users):
    from zizhu.jobs.services import job_create, job_run

    job_run(job_create(kind="selfcheck", params={"steps": 1}, enqueue=False).pk)
    login_as(client, users["county_operator"])
    client.get("/")
    text = client.get("/metrics").content.decode()
    assert (
        'zizhu_http_request_duration_seconds_count{method="GET",status="200",view="web:home"}'
        in text
    )
    assert 'zizhu_jobs{kind="selfcheck",status="done"} 1.0' in text
    assert 'zizhu_job_duration_seconds_count{kind="selfcheck",status="done"}' in text


def test_metrics_are_refused_through_the_proxy_and_from_other_networks(db, settings):
    assert Client().get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.9").get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 404
    settings.ZIZHU_METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    settings.ZIZHU_METRICS_TOKEN = "scrape-secret"
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 404
    bearer = Client(REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert bearer.get("/metrics").status_code == 200


def test_json_log_lines():
    record = logging.LogRecord("zizhu.access", logging.INFO, __file__, 1, "GET %s", ("/",), None)
    record.status = 200
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["level"], entry["logger"], entry["message"], entry["status"]) == (
        "INFO",
        "zizhu.access",
        "GET /",
        200,
    )


def test_the_access_log_names_the_signed_in_user_and_no_one_else(users, caplog):
    client = Client()
    login_as(client, users["county_operator"])
    with caplog.at_level(logging.INFO, logger="zizhu.access"):
        client.get("/jobs/")
        Client().get("/healthz")
    signed_in, anonymous = (r for r in caplog.records if r.name == "zizhu.access")
    assert (signed_in.path, signed_in.user) == ("/jobs/", users["county_operator"].pk)
    assert (anonymous.path, anonymous.user) == ("/healthz", None)


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (OperationalError("connection refused"), 503, "数据库暂时无法连接"),
        (QueueUnavailable("down"), 503, "后台任务队列无法连接"),
        (ZeroDivisionError("boom"), 500, "服务器出错"),
    ],
)
def test_errors_get_a_chinese_page_without_a_stack_trace(users, settings, error, status, text):
    from tests.ops import broken_urls

    settings.ROOT_URLCONF = "tests.ops.broken_urls"
    broken_urls.ERROR[:] = [error]
    client = Client(raise_request_exception=False)
    login_as(client, users["county_operator"])
    response = client.get("/broken/")
    body = response.content.decode()
    assert response.status_code == status
    assert text in body
    assert "Traceback" not in body and "boom" not in body and "refused" not in body
    assert (response.get("Retry-After") == "30") == (status == 503)
