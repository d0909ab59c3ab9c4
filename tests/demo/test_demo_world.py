"""The demo is one world: its findings come from a real run over the recipient lists of its
own database (exactly the generator's planted cases), every finding resolves to its student,
the summaries show list totals and expenditure, and every demo account has its to-do."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import login_as
from zizhu.accounts.models import User
from zizhu.anomalies.models import Finding, Run, RunStatus
from zizhu.demo.world import world_generate
from zizhu.fundreports.rollups import rollup_discrepancies
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.recipients.models import RecipientList
from zizhu.units.models import Level, Unit

YEAR = timezone.localdate().year - 1
LIST_TOTALS = {"资助名单总资金", "实际支出"}


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("demo", seed=1, stdout=out)
    return out.getvalue()


def _the_findings_are_the_planted_cases_found_in_the_database_lists(demo, tmp_path):
    run = Run.objects.get()
    assert (run.status, run.month) == (RunStatus.DONE, f"{YEAR}-10")
    truth = world_generate(
        out=tmp_path, province=Unit.objects.get(code="610000"), year=YEAR, seed=1
    ).ground_truth
    expected = {
        (int(r["rule"]), r["school_code"], int(r["pid"]), r["counterpart_school_code"] or "")
        for r in truth
    }
    found = set(
        Finding.objects.values_list("rule", "school__code", "pid", "counterpart_school_code")
    )
    assert found == expected and len(found) > 50
    assert {rule for rule, *_ in found} == set(range(1, 25))
    assert run.lists.filter(school__stage="vocational").exists()
    assert run.lists.count() == RecipientList.objects.filter(check_runs=run).count() > 1000

    # the exchange file resolves every finding to its student's full ID number
    out, err = tmp_path / "findings.csv", io.StringIO()
    call_command(
        "export_findings", month=run.month, unmasked=True, out=str(out),
        stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    assert err.getvalue() == ""
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(found)
    assert all(len(r["id_number"]) == 18 and "*" not in r["id_number"] for r in rows)
    assert ledger_discrepancies() == [] and rollup_discrepancies() == []


def _list_totals(response) -> list[Decimal]:
    """The list-total and expenditure figures of every table of a summary page."""
    figures = []
    for table in response.context["tables"]:
        columns = [i for i, h in enumerate(table.header) if str(h) in LIST_TOTALS]
        for row in table.rows:
            figures += [row.cells[i] for i in columns if isinstance(row.cells[i], Decimal)]
    return figures


def _every_summary_shows_list_totals_and_the_pages_open_on_the_demo_year(client, demo):
    for username in ("operator_610000", "operator_610100", "operator_610112"):
        login_as(client, User.objects.get(username=username))
        for category in ("national", "local", "school", "social"):
            response = client.get(f"/funds/reports/summary/{category}/")
            assert response.status_code == 200
            assert response.context["scope"].year == YEAR, (username, category)
            totals = _list_totals(response)
            assert totals and max(totals) > 0, (username, category)
            assert 'data-testid="chart-empty"' not in response.content.decode()


def _every_demo_account_has_its_to_do_or_its_key_figures(client, demo):
    business = User.objects.exclude(role__in=["sysadmin", "secadmin", "auditor"])
    assert business.count() == 10
    for user in business:
        login_as(client, user)
        home = client.get("/").context
        if user.role in ("supervisor", "center_leader"):
            assert home["figures"] and home["todo_lines"] is None, user.username
        else:
            assert home["todo_lines"], user.username
            for line in home["todo_lines"]:
                page = client.get(line.url).context
                rows = page.get("missing_page") or page["page"]
                assert rows.paginator.count == line.count, (user.username, line.label)
    school = User.objects.get(role="school_reviewer").unit
    assert school.level == Level.SCHOOL


# One build of the demo (~15 s, more on a slow machine) for all of this module's checks,
# in the order above: each check was a test of its own, and building the demo for each took
# minutes of the suite's run.
def test_each_check_of_one_demo_build(demo, tmp_path, client):
    _the_findings_are_the_planted_cases_found_in_the_database_lists(demo, tmp_path)
    _every_summary_shows_list_totals_and_the_pages_open_on_the_demo_year(client, demo)
    _every_demo_account_has_its_to_do_or_its_key_figures(client, demo)
