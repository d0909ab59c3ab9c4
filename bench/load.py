"""Load on the production stack (locust, headless, loopback only, bounded).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zizhu_load .venv/bin/python bench/load.py \
        --users 20 --seconds 30 --web-workers 1,2,3,4

The database is the national build of bench/funds_national.py (all divisions, ~229,000
schools, a funds year; built once, as bench/funds_bench.py does). For each gunicorn worker
count it starts gunicorn on 127.0.0.1 against that database and one huey worker
(`manage.py run_huey --no-periodic`) on the environment's job queue: ZIZHU_JOB_QUEUE, a SQLite
queue file under ZIZHU_DATA_DIR when unset, or Redis (e.g. the stack's); with `immediate` no
worker runs and each import runs inside its upload request. It runs a single-user baseline
(one school user, then one authority user, each going round all of its pages and writes in
turn) and then `--users` concurrent users for `--seconds`, and prints per page and per write
p50/p95/p99 ms, requests/s, errors, the share of writes, the most database connections in
use, and the load average; then the CPU seconds of the gunicorn workers, the database's
PostgreSQL backends, locust and the huey worker (and per request), the login burst (when the
last login ended) and the steady state after it, with its own requests/s, errors and
p50/p95/p99 per page and write (`--no-baseline` leaves out the single-user steps).

The role mix of a deadline day: three users in five are school operators, each at a school of
its own (compulsory stage, Shaanxi), two in five operators of the centre, Shaanxi and counties
of Shaanxi. They log in, then mostly read: the home page with the to-do, the progress and
summary pages of their level, the filing list, the findings list, the jobs page. One task
in nine of a school or county user is a write, done as in the browser (GET the form, POST
it with the CSRF token and the one-time key, follow the redirect): a school uploads its
recipient list (a 30-row XLSX built once per school, in two versions that alternate, so each
upload rewrites the rows) and watches the job page until the import is done; a school
uploads a payment voucher (a small PNG) for the year the form offers; a county allocates
0.01-1.00 yuan from its filing to one of its schools. A 4xx/5xx, a login page, a form error
or an error message on the page is an error; so is an import that failed or wrote nothing.
Afterwards the ledger reconciliation and the report totals must still be 0 rows: money moved
during the run. The run is bounded: at most --users users, --seconds per step.
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PASSWORD = "Load-Test-9x!"  # noqa: S105 - set on the bench's own users only
YEAR = 2025
PROJECT = "compulsory_nutrition"  # the build's project with money left at the counties
LIST_ROWS = 30
LIST_AMOUNTS = (1000, 1050)  # the two versions of each school's list
LEVELS = ("central", "provincial", "prefectural", "county")  # the allocation form's amounts
# marks of a refused request on a page: an error message or a form error
ERROR_MARKS = ('class="message error"', 'class="errorlist')
JOB_STATUS = re.compile(r'data-testid="job-status"[^>]*>([^<]+)<')  # on the job page


# --- what a user sends: the list file, the voucher file, the forms' fields ----------------------


def list_rows(index: int, area: str, amount: int, count: int = LIST_ROWS) -> list[dict]:
    """`count` students of the plan's school number `index`, as the upload template's columns.
    The birth date is the school's own (a day after 2012-09-01 per index) and the sequence
    the student's, so no two schools of the plan share an ID number."""
    from zizhu.lib.idnumber import check_char

    born = date(2012, 9, 1) + timedelta(days=index)
    rows = []
    for number in range(1, count + 1):
        first17 = f"{area}{born:%Y%m%d}{number:03d}"
        rows.append(
            {
                "身份证件号": first17 + check_char(first17),
                "姓名": f"学生{index:03d}{number:02d}",
                "资助金额": amount,
                "年级": "七年级",
                "联系电话": f"138{index:04d}{number:04d}",
            }
        )
    return rows


def recipient_xlsx(rows: list[dict]) -> bytes:
    """The rows as an XLSX a school would fill in: the Chinese header, ID numbers as text."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        sheet = book.add_worksheet("资助名单")
        header = list(rows[0])
        sheet.write_row(0, 0, header)
        for number, row in enumerate(rows, start=1):
            sheet.write_row(number, 0, [row[column] for column in header])
    return buffer.getvalue()


def voucher_png() -> bytes:
    """A 4×4 RGB PNG (a scanned voucher, in small)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xf0\xf0\xf0" * 4 for _ in range(4)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class _Forms(HTMLParser):
    """Each <form> of a page: its attributes, the values its inputs and selects would send
    as the browser shows them, each select's options and the names of its file inputs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._open = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"attrs": found, "fields": {}, "options": {}, "files": []})
            self._open = True
            return
        if not self._open:
            return
        form, name = self.forms[-1], found.get("name")
        if tag == "input" and name and found.get("type") == "file":
            form["files"].append(name)
        elif tag == "input" and name and found.get("type") not in ("submit", "checkbox"):
            form["fields"][name] = found.get("value", "")
        elif tag == "select" and name:
            self._select = name
            form["options"][name] = []
        elif tag == "option" and self._select and found.get("value"):
            form["options"][self._select].append(found["value"])
            if "selected" in found or self._select not in form["fields"]:
                form["fields"][self._select] = found["value"]  # a browser shows the first

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False
        elif tag == "select":
            self._select = None


def page_form(html: str, field: str) -> dict | None:
    """The first form of the page with an input or select named `field`, or None."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if field in form["fields"] or field in form["options"] or field in form["files"]:
            return form
    return None


def page_problem(status: int, url: str, text: str) -> str | None:
    """Why a page a user opened or posted counts as an error, or None."""
    if status >= 400:
        return f"HTTP {status}"
    if "/accounts/login/" in url:
        return "sent to the login page"
    for mark in ERROR_MARKS:
        if mark in text:
            start = text.index(mark)
            return "error on the page: " + " ".join(text[start : start + 300].split())
    return None


# --- the plan: accounts, pages and files ---------------------------------------------------------


def prepare(url: str, users: int, folder: str) -> dict:
    import funds_bench as bench

    bench.database_create(url, False)
    bench.setup(url)
    bench.ensure_built(argparse.Namespace(year=YEAR, seed=1, scale=1.0))
    return plan_build(users, folder)


def plan_build(
    users: int, folder: str, *, province: str = "610000", project_code: str = PROJECT
) -> dict:
    """Accounts (each with PASSWORD), pages and list files for `users` concurrent users: a
    school of its own for each possible school user (of the project's stage, in `province`),
    the operators of the centre and the province, and a county operator for each county of
    the province whose filing of the project has money to allocate (those allocate)."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import F, Sum
    from django.urls import reverse
    from django.utils import translation

    from zizhu.accounts.models import User
    from zizhu.catalogue.models import AidProject
    from zizhu.funds.models import Balance, Filing
    from zizhu.jobs.models import Status
    from zizhu.units.models import Level, Unit

    project = AidProject.objects.get(code=project_code)
    top = Unit.objects.get(code=province)
    schools = list(
        Unit.objects.filter(
            path__startswith=top.path, level=Level.SCHOOL, stage=project.stage, is_active=True
        )
        .select_related("parent")
        .order_by("code")[: max(users, 20)]
    )
    money = (
        Balance.objects.filter(filing__year=YEAR, filing__project=project)
        .values("filing")
        .annotate(available=Sum(F("received") + F("own") - F("allocated_out")))
        .filter(available__gt=1000)
        .values("filing")
    )
    counties = list(
        Filing.objects.filter(
            pk__in=money, unit__level=Level.COUNTY, unit__path__startswith=top.path
        )
        .select_related("unit")
        .order_by("unit__code")[: max(users, 20)]
    )
    if not schools or not counties:
        raise SystemExit(f"no schools of {project.code} or no county with money in {province}")
    central = Unit.objects.get(level=Level.CENTRAL)
    accounts = [(f"load_operator_{unit.code}", "operator", unit) for unit in (central, top)] + [
        (f"load_operator_{f.unit.code}", "operator", f.unit) for f in counties
    ]
    accounts += [(f"load_school_{s.code}", "school_operator", s) for s in schools]
    for username, role, unit in accounts:
        User.objects.get_or_create(
            username=username, defaults={"role": role, "unit": unit, "must_change_password": False}
        )
    # one hash for all of them: each set_password costs a PBKDF2 run
    User.objects.filter(username__in=[a[0] for a in accounts]).update(
        password=make_password(PASSWORD), must_change_password=False, is_active=True
    )
    progress = bench_page("progress", project)
    summary = bench_page("summary", project)
    authority_pages = {
        "home": "/",
        "progress": progress,
        "summary": summary,
        "filings": reverse("funds:filing_list", kwargs={"category": "national"}),
        "findings": reverse("anomalies:tuition_waiver"),
        "jobs": reverse("jobs:list"),
    }
    school_pages = {"home": "/", "findings": authority_pages["findings"], "jobs": "/jobs/"}
    plan_schools = []
    for index, school in enumerate(schools):
        area = school.parent.code  # a school's ID numbers start with its area's code
        files = []
        for amount in LIST_AMOUNTS:
            path = Path(folder) / f"{school.code}-{amount}.xlsx"
            path.write_bytes(recipient_xlsx(list_rows(index, area, amount)))
            files.append(str(path))
        plan_schools.append(
            {"username": f"load_school_{school.code}", "project": project.code, "lists": files}
        )
    plan_authorities = [
        {"username": f"load_operator_{central.code}"},
        {"username": f"load_operator_{top.code}"},
    ]
    with translation.override("zh-hans"):
        done = str(Status.DONE.label)
    return {
        "schools": plan_schools,
        "authorities": plan_authorities,
        "counties": [
            {
                "username": f"load_operator_{f.unit.code}",
                "allocations": reverse("funds:allocations", args=[f.pk]),
            }
            for f in counties
        ],
        "authority_pages": authority_pages,
        "school_pages": school_pages,
        "list_upload": reverse("recipients:upload"),
        "voucher_upload": reverse("vouchers:upload"),
        "job_done": done,
    }


def bench_page(kind: str, project) -> str:
    import funds_bench as bench

    return bench.page_url(kind, "national", YEAR, project)


# --- running it ---------------------------------------------------------------------------------


def process_cpu(pids) -> float:
    """CPU seconds (user + system) the processes have used so far (0 for one that is gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct children of `pid` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def connections_in_use(url: str, stop: threading.Event, seen: list, server: int | None) -> None:
    """Every 0.5 s: (time, DB connections in use, CPU seconds of the gunicorn workers so far,
    CPU seconds of the database's PostgreSQL backends so far), into `seen`."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    workers = children(server) if server else []
    backends: dict[int, float] = {}  # pid → CPU seconds when first seen (0 if it started later)
    # pid → CPU seconds when last read: kept after the backend ends (a connection is closed
    # after CONN_MAX_AGE), or the CPU it used would drop out of the sum
    latest: dict[int, float] = {}
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        while True:
            pids = [
                pid
                for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                ).fetchall()
            ]
            for pid in pids:
                backends.setdefault(pid, process_cpu([pid]) if not seen else 0.0)
                latest[pid] = max(latest.get(pid, 0.0), process_cpu([pid]))
            database = sum(latest.values()) - sum(backends.values())
            seen.append((time.time(), len(pids), process_cpu(workers), database))
            if stop.wait(0.5):
                break


def run_step(
    host: str, plan: dict, users: int, seconds: float, url: str, roles: str, server: int
) -> dict:
    """Run locust headless (its own process) for `seconds`; its CSV summary, parsed, the same
    figures for the steady state after the last login (its `steady`), and the writes the step
    left in the database. `roles`: "mix", or "school" / "authority" for one user going round
    all of that role's pages and writes in turn (the baseline). `server`: gunicorn's pid."""
    import csv
    import json
    import resource

    from django.utils import timezone

    started = timezone.now()
    locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop, seen = threading.Event(), []
    watcher = threading.Thread(
        target=connections_in_use, args=(url, stop, seen, server), daemon=True
    )
    watcher.start()
    with tempfile.TemporaryDirectory() as folder:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                host,
                "-u",
                str(users),
                "-r",
                str(max(users // 5, 1)),
                "-t",
                f"{int(seconds)}s",
                "--csv",
                f"{folder}/run",
                "--only-summary",
            ],
            env={
                **os.environ,
                "ZIZHU_LOAD_PLAN": json.dumps({**plan, "password": PASSWORD, "roles": roles}),
                "ZIZHU_LOAD_SAMPLES": f"{folder}/samples.json",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=seconds + 180,
        )
        if not os.path.exists(f"{folder}/run_stats.csv"):
            sys.exit(f"locust wrote no figures (pip install -e '.[bench]'?):\n{run.stderr[-2000:]}")
        with open(f"{folder}/run_stats.csv", encoding="utf-8") as table:
            lines = list(csv.DictReader(table))
        with open(f"{folder}/run_failures.csv", encoding="utf-8") as table:
            failures = list(csv.DictReader(table))
        with open(f"{folder}/samples.json", encoding="utf-8") as table:
            samples = json.load(table)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust, waited for by now
    locust_cpu = sum(
        getattr(after, field) - getattr(locust_before, field) for field in ("ru_utime", "ru_stime")
    )
    stop.set()
    watcher.join(5)
    rows, total, waits = {}, {}, 0
    for line in lines:
        figures = (
            int(line["Request Count"]),
            int(line["Failure Count"]),
            *(float(line[p] or 0) for p in ("50%", "95%", "99%")),
        )
        if line["Name"] == "Aggregated":
            total = {
                "rps": float(line["Requests/s"]),
                "requests": figures[0],
                "errors": figures[1],
                "p95": figures[3],  # the waits for imports are in it too: a few in a hundred
            }
        else:
            rows[line["Name"]] = figures
            if line["Type"] == "JOB":  # a wait, not a request
                waits += figures[0]
    if total.get("requests"):  # requests/s of requests only; a failed wait stays an error
        total["rps"] *= (total["requests"] - waits) / total["requests"]
        total["requests"] -= waits
    writes = sum(
        n for name, (n, *_) in rows.items() if name.endswith("(POST)") and "login" not in name
    )
    return {
        "rows": rows,
        **total,
        "writes": writes,
        "connections": max((c for _t, c, _w, _d in seen), default=0),
        "cpu": cpu_between(seen, seen[0][0], seen[-1][0]) if seen else None,
        "locust_cpu": locust_cpu,
        "steady": steady_state(samples, seen),
        "failures": [(f["Name"], f["Occurrences"], f["Error"][:200]) for f in failures],
        "written": written_since(started),
    }


def cpu_between(seen: list, start: float, end: float) -> tuple[float, float]:
    """CPU seconds of the gunicorn workers and of the database's backends from `start` to
    `end` (the watcher's nearest samples)."""

    def at(moment: float) -> tuple:
        return min(seen, key=lambda sample: abs(sample[0] - moment))

    first, last = at(start), at(end)
    return last[2] - first[2], last[3] - first[3]


def steady_state(samples: list, seen: list) -> dict | None:
    """The figures of the requests that ended after the last login (the burst of logins at
    the start is over; a deadline day's logins are spread over the morning): their count,
    requests/s, errors, p50/p95/p99 per name, and the CPU ms a request of the web workers and
    of PostgreSQL. None when no login ended or nothing came after it."""
    logins = [end for end, name, _ms, _failed in samples if name == "POST login (POST)"]
    if not logins:
        return None
    start = max(logins)
    after = [s for s in samples if s[0] > start]
    if not after:
        return None
    end = max(s[0] for s in after)
    requests = [s for s in after if not s[1].startswith("JOB ")]  # a wait is not a request
    rows = {}
    for name in sorted({s[1] for s in after}):
        times = [s[2] for s in after if s[1] == name]
        rows[name.split(" ", 1)[1]] = (
            len(times),
            sum(1 for s in after if s[1] == name and s[3]),
            *(percentile(times, share) for share in (0.5, 0.95, 0.99)),
        )
    seconds = max(end - start, 1e-9)
    web, database = cpu_between(seen, start, end) if seen else (0.0, 0.0)
    pages = [s[2] for s in requests if not s[1].startswith("POST ") and "(form)" not in s[1]]
    return {
        "from": start - samples[0][0] + samples[0][2] / 1000 if samples else 0,
        "seconds": seconds,
        "requests": len(requests),
        "rps": len(requests) / seconds,
        "errors": sum(1 for s in after if s[3]),
        "p95_pages": percentile(pages, 0.95) if pages else 0.0,
        "rows": rows,
        "cpu_ms": (1000 * web / max(len(requests), 1), 1000 * database / max(len(requests), 1)),
    }


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def written_since(started) -> dict:
    """What the step wrote: allocations and their sum, vouchers, and the list imports by
    outcome (after waiting up to 120 s for the queue to run the ones still waiting)."""
    from django.db.models import Sum

    from zizhu.funds.models import Allocation
    from zizhu.jobs.models import Job, Status
    from zizhu.vouchers.models import Voucher

    imports = Job.objects.filter(kind="recipients_import", created_at__gte=started)
    deadline = time.monotonic() + 120
    while imports.filter(status__in=[Status.PENDING, Status.RUNNING]).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    allocations = Allocation.objects.filter(created_at__gte=started)
    sums = allocations.aggregate(*(Sum(level) for level in LEVELS))
    return {
        "allocations": allocations.count(),
        "allocated": sum(value or 0 for value in sums.values()),
        "vouchers": Voucher.objects.filter(created_at__gte=started).count(),
        "imports_ok": imports.filter(status=Status.DONE, result__ok=True).count(),
        "imports_refused": imports.filter(status=Status.DONE, result__ok=False).count(),
        "imports_failed": imports.filter(status=Status.FAILED).count(),
        "imports_unfinished": imports.filter(status__in=[Status.PENDING, Status.RUNNING]).count(),
    }


def imports_in_error(step: dict) -> int:
    """List imports the worker failed or refused (a valid list that wrote nothing), which the
    user may not have seen before the step ended."""
    return step["written"]["imports_failed"] + step["written"]["imports_refused"]


def gunicorn(workers: int, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:zizhu.ops.gunicorn_config",  # as production runs it
            "zizhu.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not start")


def huey_worker(log: Path) -> subprocess.Popen | None:
    """One `run_huey` process on the environment's queue (None with the inline queue)."""
    if os.environ["ZIZHU_JOB_QUEUE"] == "immediate":
        return None
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--no-periodic"],
            cwd=ROOT,
            env=os.environ,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop_process(process: subprocess.Popen | None) -> None:
    if process is not None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def report(title: str, step: dict) -> None:
    share = 100 * step["writes"] / step["requests"] if step["requests"] else 0
    print(
        f"\n{title}: {step['rps']:.1f} requests/s, {step['requests']} requests "
        f"({step['writes']} writes, {share:.0f} %), {step['errors']} errors, "
        f"p95 {step['p95']:.0f} ms, at most {step['connections']} DB connections in use"
    )
    print(f"  {'page or write':<34}{'n':>6}{'err':>5}{'p50':>7}{'p95':>7}{'p99':>7}")
    for name, (n, err, p50, p95, p99) in sorted(step["rows"].items()):
        print(f"  {name:<34}{n:>6}{err:>5}{p50:>7.0f}{p95:>7.0f}{p99:>7.0f}")
    w = step["written"]
    print(
        f"  written: {w['allocations']} allocations ({w['allocated']} yuan), "
        f"{w['vouchers']} vouchers, list imports: {w['imports_ok']} done, "
        f"{w['imports_refused']} refused, {w['imports_failed']} failed, "
        f"{w['imports_unfinished']} unfinished"
    )
    if step.get("cpu"):
        web, database = step["cpu"]
        each = 1000 / max(step["requests"], 1)
        print(
            f"  CPU: gunicorn workers {web:.1f} s ({web * each:.1f} ms a request), the database's "
            f"PostgreSQL backends {database:.1f} s ({database * each:.1f} ms a request), "
            f"locust {step['locust_cpu']:.1f} s ({step['locust_cpu'] * each:.1f} ms a request)"
            + (
                f", the huey worker (the list imports) {step['queue_cpu']:.1f} s"
                if step.get("queue_cpu") is not None
                else ""
            )
        )
    for name, count, error in step["failures"][:10]:
        print(f"  error ×{count} {name}: {error}")
    steady = step.get("steady")
    if steady and step["requests"] > 200:  # a baseline has no burst to set apart
        logins = step["rows"].get("login (POST)")
        if logins:
            print(
                f"  the login burst: {logins[0]} logins, the last {steady['from']:.0f} s after "
                f"the first request; login POST p50 {logins[2]:.0f} ms, p95 {logins[3]:.0f} ms"
            )
        web, database = steady["cpu_ms"]
        print(
            f"  steady state after the last login ({steady['seconds']:.0f} s): "
            f"{steady['rps']:.1f} requests/s, {steady['requests']} requests, "
            f"{steady['errors']} errors, p95 pages {steady['p95_pages']:.0f} ms; CPU a request: "
            f"gunicorn {web:.1f} ms, PostgreSQL {database:.1f} ms"
        )
        for name, (n, err, p50, p95, p99) in sorted(steady["rows"].items()):
            print(f"    {name:<32}{n:>6}{err:>5}{p50:>7.0f}{p95:>7.0f}{p99:>7.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--web-workers", default="1,2,3,4", help="gunicorn worker counts to try")
    parser.add_argument("--port", type=int, default=18500)
    parser.add_argument(
        "--no-baseline", action="store_true", help="leave out the single-user baselines"
    )
    args = parser.parse_args()
    if args.users > 200 or args.seconds > 600:
        raise SystemExit("bounded: at most 200 users and 600 s per step")
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_load")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("ZIZHU_JOB_QUEUE", "sqlite")
    folder = tempfile.TemporaryDirectory(prefix="zizhu-load-")
    plan = prepare(url, args.users, folder.name)
    from django.conf import settings

    print(
        f"job queue: {settings.ZIZHU_JOB_QUEUE.split('@')[-1]}"
        + (" (imports inline)" if settings.ZIZHU_JOB_QUEUE == "immediate" else ", 1 huey worker")
    )
    print(f"load average before: {os.getloadavg()} on {os.cpu_count()} cores (shared machine)")
    worker = huey_worker(Path(folder.name) / "huey.log")
    knee, best, errors, previous = None, 0.0, 0, None
    try:
        for workers in [int(w) for w in args.web_workers.split(",")]:
            server = gunicorn(workers, args.port)
            try:
                host = f"http://127.0.0.1:{args.port}"
                for role in () if args.no_baseline else ("school", "authority"):
                    baseline = run_step(
                        host, plan, 1, max(args.seconds / 2, 40), url, role, server.pid
                    )
                    report(f"{workers} gunicorn workers, 1 {role} user (baseline)", baseline)
                    errors += baseline["errors"] + imports_in_error(baseline)
                queue_before = process_cpu([worker.pid]) if worker else 0.0
                step = run_step(host, plan, args.users, args.seconds, url, "mix", server.pid)
                step["queue_cpu"] = process_cpu([worker.pid]) - queue_before if worker else None
                report(f"{workers} gunicorn workers, {args.users} users", step)
                errors += step["errors"] + imports_in_error(step)
                print(f"  load average: {os.getloadavg()}")
            finally:
                stop_process(server)
            if step["rps"] < best * 1.05 and knee is None:
                knee = previous  # this count gained less than 5 % over the one before
            best, previous = max(best, step["rps"]), workers
    finally:
        stop_process(worker)
        log = Path(folder.name) / "huey.log"
        if errors and log.exists():  # what the worker said, before its folder goes
            print("huey worker log (last lines):", *log.read_text().splitlines()[-20:], sep="\n  ")
        folder.cleanup()
    found = f"{knee} workers (no gain beyond)" if knee else "not reached in the counts tried"
    print(f"\nknee: {found}; errors in all steps: {errors}")
    from zizhu.fundreports.rollups import rollup_discrepancies
    from zizhu.funds.ledger import ledger_discrepancies

    ledger, rollups = len(ledger_discrepancies()), len(rollup_discrepancies())
    print(f"after the load: ledger reconciliation {ledger} rows, report totals {rollups} rows")
    raise SystemExit(1 if ledger or rollups else 0)


if __name__ == "__main__":
    main()
