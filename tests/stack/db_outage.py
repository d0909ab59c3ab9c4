"""Requests and multi-row writes in a loop for SECONDS, through the WSGI handler of one
process, while the test stops and restarts PostgreSQL under it. Prints one JSON line per
attempt; touches MARKER after the first good round.

    python -m tests.stack.db_outage SECONDS MARKER
"""

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")

import django  # noqa: E402

django.setup()

from django.db import DatabaseError, close_old_connections  # noqa: E402
from django.test import Client  # noqa: E402

from zizhu.accounts.models import User  # noqa: E402
from zizhu.units.models import Unit  # noqa: E402
from zizhu.units.services import UnitRow, units_import  # noqa: E402


def setup() -> Client:
    units_import(
        rows=[
            UnitRow("610000", "陕西省", "province", "000000"),
            UnitRow("610100", "西安市", "prefecture", "610000"),
            UnitRow("610112", "未央区", "county", "610100"),
        ]
    )
    user = User(username="op", role="operator", unit=Unit.objects.get(code="610112"))
    user.must_change_password = False
    user.set_password("Kx7#pLm2qZ")
    user.save()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def main(seconds: float, marker: str) -> None:
    client = setup()
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        # what the WSGI handler does around each request (the test client leaves it out): a
        # connection that failed its health check is replaced
        close_old_connections()
        page = client.get("/")
        body = page.content.decode()
        api = client.get("/api/v1/units/")  # the REST API, signed in by the same session
        api_error = api.json().get("error", {}) if api["Content-Type"] == "application/json" else {}
        try:  # a write of two rows, all or nothing
            units_import(
                rows=[
                    UnitRow(f"3661{n:06d}", f"学校{n}甲", "school", "610112", stage="vocational"),
                    UnitRow(f"4161{n:06d}", f"学校{n}乙", "school", "610112", stage="higher"),
                ]
            )
            write = "ok"
        except DatabaseError as exc:
            write = type(exc).__name__
        print(
            json.dumps(
                {
                    "t": time.monotonic(),
                    "status": page.status_code,
                    "chinese_503": "数据库暂时无法连接" in body,
                    "traceback": "Traceback" in body or "Traceback" in api.content.decode(),
                    "api_status": api.status_code,
                    "api_json_503": api_error.get("code") == "database_unavailable"
                    and "数据库暂时无法连接" in api_error.get("message", "")
                    and api.get("Retry-After") == "30",
                    "write": write,
                }
            ),
            flush=True,
        )
        close_old_connections()
        if page.status_code == 200 and api.status_code == 200 and write == "ok":
            Path(marker).touch()
        time.sleep(0.5)


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2])
