"""The users of bench/load.py: the plan (accounts, pages, list files) comes in ZIZHU_LOAD_PLAN
as JSON. Writes are done as in the browser: GET the form, POST what it holds (CSRF token,
one-time key, prefilled values) with the user's choices, follow the redirect.

The users are locust's FastHttpUser (geventhttpclient), not its `requests`-based HttpUser: the
load generator runs on the same two cores as the stack it measures, and the lighter client
leaves more of them to the server (redirects are followed in place, so a response's `url` is
the page it landed on, as before)."""

import itertools
import json
import os
import random
import time
from pathlib import Path

from load import JOB_STATUS, LEVELS, page_form, page_problem, voucher_png
from locust import FastHttpUser, between, events, task

PLAN = json.loads(os.environ.get("ZIZHU_LOAD_PLAN", "{}"))
JOB_WAIT_SECONDS = 120
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the n-th user of the mix: three in five are schools, each at a school of its own
_numbers = itertools.count()
_schools = itertools.count()
_authorities = itertools.count()
# every request and wait as (end time, name, ms, failed), written at the end of the run to
# ZIZHU_LOAD_SAMPLES: bench/load.py splits the run into the login burst and the steady state
_samples: list[tuple[float, str, float, bool]] = []


@events.request.add_listener
def _record(request_type, name, response_time, exception, **_kwargs):
    _samples.append((time.time(), f"{request_type} {name}", response_time, exception is not None))


@events.test_stop.add_listener
def _write_samples(**_kwargs):
    if os.environ.get("ZIZHU_LOAD_SAMPLES"):
        Path(os.environ["ZIZHU_LOAD_SAMPLES"]).write_text(json.dumps(_samples), encoding="utf-8")


class Operator(FastHttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        roles = PLAN["roles"]
        if roles == "mix":
            self.tour = None
            self.become(self._account(next(_numbers) % 5 in (0, 2, 4)))
            return
        # the baseline's single user goes round every page and write of its role in turn,
        # for an authority as the centre, the province and a county in turn
        if roles == "school":
            accounts = PLAN["schools"][:1]
        else:
            accounts = [*PLAN["authorities"], PLAN["counties"][0]]
        steps = []
        for account in accounts:
            steps.append(lambda account=account: self.become(account))
            steps += [lambda n=n: self.browse(n) for n in self._pages(account)]
            steps += self._writes(account)
        steps[0]()
        self.tour = itertools.cycle(steps[1:] if len(accounts) == 1 else [*steps[1:], steps[0]])

    def _account(self, school: bool) -> dict:
        if school:
            return PLAN["schools"][next(_schools) % len(PLAN["schools"])]
        turn = next(_authorities)
        if turn % 4 < 2:  # a quarter each at the centre and the province: they read
            return PLAN["authorities"][turn % 2]
        counties = PLAN["counties"]  # the other half at counties: they allocate too
        return counties[(turn // 4 * 2 + turn % 2) % len(counties)]

    def _pages(self, account: dict) -> dict:
        return PLAN["school_pages" if "lists" in account else "authority_pages"]

    def _writes(self, account: dict) -> list:
        if "lists" in account:
            return [self.upload_list, self.upload_voucher]
        return [self.allocate] if "allocations" in account else []

    def become(self, account: dict) -> None:
        """Log in as `account` (in a new session)."""
        self.client.cookiejar.clear()
        self.account, self.pages, self.writes = account, self._pages(account), self._writes(account)
        self.lists = [Path(p).read_bytes() for p in account.get("lists", ())]
        self.list_version = 0
        self.login()

    def check(self, response, problem: str | None = None) -> bool:
        """Fail the request on an HTTP error, a login page or an error on the page."""
        problem = problem or page_problem(response.status_code, response.url or "", response.text)
        if problem:
            response.failure(problem)
        return problem is None

    def login(self):
        with self.client.get(
            "/accounts/login/", name="login (form)", catch_response=True
        ) as response:
            form = page_form(response.text, "username")
            if form is None:
                response.failure("no login form")
                return
        data = {
            **form["fields"],
            "username": self.account["username"],
            "password": PLAN["password"],
        }
        with self.client.post(
            "/accounts/login/", data, name="login (POST)", catch_response=True
        ) as response:
            self.check(response)

    @task(8)
    def read(self):
        if self.tour is not None:
            next(self.tour)()
        else:
            self.browse(random.choice(list(self.pages)))

    @task(1)
    def write(self):
        if self.tour is not None:
            next(self.tour)()
        elif self.writes:
            random.choice(self.writes)()
        else:
            self.browse(random.choice(list(self.pages)))

    def browse(self, name: str):
        with self.client.get(self.pages[name], name=name, catch_response=True) as response:
            self.check(response)

    def form(self, path: str, name: str, field: str) -> dict | None:
        """The page's form with `field` (a GET named `name (form)`), or None (a failure)."""
        with self.client.get(path, name=f"{name} (form)", catch_response=True) as response:
            if not self.check(response):
                return None
            form = page_form(response.text, field)
            if form is None:
                response.failure(f"no form with {field}")
            return form

    def upload_list(self):
        """A school uploads its list (the other version of it each time), then watches the
        job page, as the page itself does (every 2 s), until the import is done."""
        form = self.form(PLAN["list_upload"], "list upload", "file")
        if form is None:
            return
        data = {**form["fields"], "project": self.account["project"]}
        content = self.lists[self.list_version % len(self.lists)]
        self.list_version += 1
        started = time.monotonic()
        files = {"file": ("资助名单.xlsx", content, XLSX_TYPE)}
        with self.client.post(
            PLAN["list_upload"], data, files=files, name="list upload (POST)", catch_response=True
        ) as response:
            if not self.check(response):
                return
            if "/jobs/" not in response.url:
                response.failure(f"not sent to the job page: {response.url}")
                return
            job_url, page = response.url, response.text
        problem = None
        while 'hx-trigger="every 2s"' in page:  # the job is not finished
            if time.monotonic() - started > JOB_WAIT_SECONDS:
                problem = f"not done after {JOB_WAIT_SECONDS} s"
                break
            time.sleep(2)
            with self.client.get(
                job_url,
                headers={"HX-Request": "true"},
                name="list import (job page)",
                catch_response=True,
            ) as poll:
                if not self.check(poll):
                    problem = "the job page failed"
                    break
                page = poll.text
        status = JOB_STATUS.search(page)
        if problem is None and (status is None or status.group(1).strip() != PLAN["job_done"]):
            found = status.group(1).strip() if status else "no status"
            problem = f"import {found}: {' '.join(page.split())[:300]}"
        # the time a school waits from pressing upload to the finished import
        self.fired("list import (upload to done)", time.monotonic() - started, problem)

    def fired(self, name: str, seconds: float, problem: str | None) -> None:
        """A figure (or a failure) that is not one request."""
        self.environment.events.request.fire(
            request_type="JOB" if "import" in name else "POST",
            name=name,
            response_time=seconds * 1000,
            response_length=0,
            exception=Exception(problem) if problem else None,
            context={},
        )

    def upload_voucher(self):
        """A school uploads a payment voucher (one PNG) for the year the form offers."""
        form = self.form(PLAN["voucher_upload"], "voucher upload", "form_key")
        if form is None:
            return
        data = {
            **form["fields"],
            "project": self.account["project"],
            "students": str(random.randint(20, 60)),
            "amount": f"{random.randint(20, 60) * 1000}.00",
            "note": "营养膳食补助发放凭证",
        }
        files = {"files": ("支付凭证.png", voucher_png(), "image/png")}
        with self.client.post(
            PLAN["voucher_upload"],
            data,
            files=files,
            name="voucher upload (POST)",
            catch_response=True,
        ) as response:
            if self.check(response) and 'class="message success"' not in response.text:
                response.failure("no success message")

    def allocate(self):
        """A county allocates 0.01-1.00 yuan of one source level to one of its schools."""
        path = self.account["allocations"]
        form = self.form(path, "allocation", "target")
        if form is None:
            return
        levels = [level for level in LEVELS if level in form["fields"]]
        if not levels or not form["options"].get("target"):
            self.fired("allocation (POST)", 0, "no amount or no unit to allocate to")
            return
        data = {
            **form["fields"],
            "target": random.choice(form["options"]["target"]),
            random.choice(levels): f"{random.randint(1, 100) / 100:.2f}",
        }
        with self.client.post(
            path, data, name="allocation (POST)", catch_response=True
        ) as response:
            if self.check(response) and 'class="message success"' not in response.text:
                response.failure("no success message")
