"""What bench/load.py's users send, checked without locust: the plan's accounts and list
files, and each write posted as its locust user posts it (the form read from the real page,
the redirect followed) lands in the database; an error on a page is seen as one."""

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from zizhu.catalogue.models import AidProject
from zizhu.funds.models import Allocation
from zizhu.funds.services import filing_create
from zizhu.jobs.models import Job, Status
from zizhu.lib import idnumber
from zizhu.lib.tabular import read_table
from zizhu.recipients.models import RecipientList
from zizhu.recipients.validation import COLUMNS
from zizhu.vouchers.models import Voucher

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "vocational_national_grant"  # the fixture tree's schools are vocational


def _bench_load():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


load = _bench_load()


@pytest.fixture
def county_money(tree, users):
    """The county 610112's filing with 5,000 yuan of its own funds to allocate."""
    return filing_create(
        unit=tree["610112"],
        year=load.YEAR,
        project=AidProject.objects.get(code=PROJECT),
        own_funds=Decimal("5000.00"),
        actor=users["county_operator"],
    )


def _post_form(client, path: str, field: str, choices: dict, files: dict | None = None):
    """GET the page, POST its form with `field` as the browser would (its hidden and shown
    values, then the user's choices and files), follow the redirect."""
    page = client.get(path)
    assert page.status_code == 200
    form = load.page_form(page.content.decode(), field)
    assert form is not None, f"no form with {field} on {path}"
    response = client.post(path, {**form["fields"], **choices, **(files or {})}, follow=True)
    return form, response


def _problem(response) -> str | None:
    url = response.redirect_chain[-1][0] if response.redirect_chain else ""
    return load.page_problem(response.status_code, url, response.content.decode())


def test_it_builds_lists_of_valid_ids_no_two_schools_share():
    first, second = load.list_rows(0, "610112", 1000), load.list_rows(1, "610112", 1000)
    ids = [row["身份证件号"] for row in first + second]
    assert len(first) == load.LIST_ROWS
    assert all(idnumber.is_valid(number) for number in ids)
    assert len(set(ids)) == len(ids)


def test_it_builds_an_xlsx_the_list_reader_reads_as_written(tmp_path):
    rows = load.list_rows(3, "610112", 1050)
    path = tmp_path / "list.xlsx"
    path.write_bytes(load.recipient_xlsx(rows))

    table = read_table(path, COLUMNS)

    assert [values["id_number"] for _, values in table.rows] == [r["身份证件号"] for r in rows]
    assert {values["amount"] for _, values in table.rows} == {"1050"}


def test_it_plans_a_school_each_county_with_money_and_their_files(tmp_path, tree, county_money):
    plan = load.plan_build(2, str(tmp_path), project_code=PROJECT)

    schools = {s["username"] for s in plan["schools"]}
    assert schools == {f"load_school_{c}" for c in ("3661000001", "3661000002", "3661000003")}
    assert plan["counties"] == [
        {
            "username": "load_operator_610112",
            "allocations": reverse("funds:allocations", args=[county_money.pk]),
        }
    ]
    assert all(len(s["lists"]) == 2 and Path(s["lists"][1]).exists() for s in plan["schools"])
    assert plan["job_done"] == "已完成"


def test_the_planned_accounts_log_in_on_the_login_page(client, tmp_path, county_money):
    plan = load.plan_build(2, str(tmp_path), project_code=PROJECT)
    for account in [*plan["authorities"], *plan["counties"], plan["schools"][0]]:
        choices = {"username": account["username"], "password": load.PASSWORD}
        _, response = _post_form(client, reverse("accounts:login"), "username", choices)

        assert _problem(response) is None, account["username"]
        assert response.wsgi_request.user.username == account["username"]
        client.logout()


def test_a_list_upload_as_the_user_posts_it_imports_each_version(
    login, users, django_capture_on_commit_callbacks
):
    client = login(users["school_operator"])
    for amount in load.LIST_AMOUNTS:
        content = load.recipient_xlsx(load.list_rows(0, "610112", amount))
        with django_capture_on_commit_callbacks(execute=True):  # the job is queued on commit
            _, response = _post_form(
                client,
                reverse("recipients:upload"),
                "file",
                {"project": PROJECT},
                {"file": _upload("资助名单.xlsx", content)},
            )
        assert _problem(response) is None
        job_page = response.redirect_chain[-1][0]
        assert "/jobs/" in job_page

        # the job page, as the page polls it
        polled = client.get(job_page, headers={"HX-Request": "true"}).content.decode()
        assert 'hx-trigger="every 2s"' not in polled
        status = load.JOB_STATUS.search(polled)
        assert status.group(1).strip() == "已完成"
        job = Job.objects.get(kind="recipients_import")
        assert (job.status, job.result["ok"], job.result["unchanged"]) == (Status.DONE, True, False)
        job.delete()
        listed = RecipientList.objects.get(school=users["school_operator"].unit)
        assert listed.row_count == load.LIST_ROWS
        assert {row.amount for row in listed.rows.all()} == {Decimal(amount)}


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_a_voucher_upload_as_the_user_posts_it_records_the_voucher(login, users):
    client = login(users["school_operator"])
    form, response = _post_form(
        client,
        reverse("vouchers:upload"),
        "form_key",
        {"project": PROJECT, "students": "30", "amount": "30000.00"},
        {"files": _upload("支付凭证.png", load.voucher_png())},
    )

    assert _problem(response) is None
    assert 'class="message success"' in response.content.decode()
    voucher = Voucher.objects.get()
    assert (str(voucher.form_key), voucher.year, voucher.files.count()) == (
        form["fields"]["form_key"],
        int(form["fields"]["year"]),
        1,
    )


def test_a_voucher_without_its_file_is_seen_as_an_error(login, users):
    client = login(users["school_operator"])
    _, response = _post_form(
        client, reverse("vouchers:upload"), "form_key", {"project": PROJECT, "students": "3"}
    )

    assert "error on the page" in _problem(response)
    assert not Voucher.objects.exists()


def test_an_allocation_as_the_county_posts_it_moves_the_amount(login, users, county_money):
    client = login(users["county_operator"])
    path = reverse("funds:allocations", args=[county_money.pk])
    page = load.page_form(client.get(path).content.decode(), "target")
    assert page["options"]["target"] == ["3661000001", "3661000002"]
    assert [level for level in load.LEVELS if level in page["fields"]] == ["county"]

    _, response = _post_form(client, path, "target", {"target": "3661000002", "county": "0.37"})

    assert _problem(response) is None
    assert 'class="message success"' in response.content.decode()
    allocation = Allocation.objects.get()
    assert (allocation.to_filing.unit.code, allocation.county) == ("3661000002", Decimal("0.37"))


def test_an_allocation_beyond_the_balance_is_seen_as_an_error(login, users, county_money):
    client = login(users["county_operator"])
    path = reverse("funds:allocations", args=[county_money.pk])
    _, response = _post_form(client, path, "target", {"target": "3661000001", "county": "9000"})

    assert "error on the page" in _problem(response)
    assert not Allocation.objects.exists()


def test_the_steady_state_starts_after_the_last_login():
    """Requests that ended after the last login POST are the steady state: counted per name,
    a job wait (JOB) kept as a row but not counted as a request, the CPU taken between the
    watcher's samples nearest the last login and the last request."""
    t0 = 1000.0
    samples = [
        (t0 + 1, "GET login (form)", 5.0, False),
        (t0 + 2, "POST login (POST)", 900.0, False),
        (t0 + 3, "GET home", 50.0, False),  # between the logins: part of the burst
        (t0 + 4, "POST login (POST)", 1200.0, False),
        (t0 + 5, "GET home", 30.0, False),
        (t0 + 6, "GET jobs", 10.0, True),
        (t0 + 7, "POST allocation (POST)", 80.0, False),
        (t0 + 9, "JOB list import (upload to done)", 2000.0, False),
    ]
    # (time, connections, CPU s of the web workers, CPU s of the database) every second
    seen = [(t0 + i, 3, 0.1 * i, 0.01 * i) for i in range(12)]
    steady = load.steady_state(samples, seen)
    assert steady["seconds"] == 5  # from the last login (t0+4) to the last end (t0+9)
    assert steady["requests"] == 3 and steady["rps"] == 3 / 5
    assert steady["errors"] == 1
    assert steady["rows"]["home"][:2] == (1, 0) and steady["rows"]["jobs"][:2] == (1, 1)
    assert steady["rows"]["list import (upload to done)"][0] == 1
    assert steady["p95_pages"] == 30.0  # home and jobs; not the POST, not the wait
    web, database = steady["cpu_ms"]
    assert round(web, 3) == round(1000 * 0.5 / 3, 3)  # 0.5 CPU s over 3 requests
    assert round(database, 3) == round(1000 * 0.05 / 3, 3)


def test_without_a_login_there_is_no_steady_state():
    assert load.steady_state([(1.0, "GET home", 5.0, False)], []) is None
