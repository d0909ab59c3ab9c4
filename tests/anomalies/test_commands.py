"""`run_checks` and `export_findings`: the command-line contract (docs/domain.md, formats)."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.recipients.factories import make_id, make_list
from zizhu.anomalies.models import Finding, Run, RunStatus
from zizhu.audit.models import AuditEvent

from .factories import MONTH, make_finding, make_run, old_subjects

HEADER = [
    "month",
    "rule",
    "risk",
    "programme",
    "school_code",
    "id_number",
    "counterpart_school_code",
    "counterpart_kind",
    "detail",
]


def test_run_checks_prints_one_line_per_rule_and_a_total(tree):
    old_subjects(
        ("3661000001", 1, "tuition_waiver"),
        ("3661000001", 2, "national_grant"),
        ("3661000003", 3, "national_grant"),
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("run_checks", month=MONTH, stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 25
    assert lines[:3] == ["1\t0", "2\t0", "3\t0"]
    assert lines[19] == "20\t1" and lines[22] == "23\t2"
    assert lines[-1] == "total\t3"
    assert all(len(line.split("\t")) == 2 for line in lines)
    assert err.getvalue() == ""
    assert Run.objects.get().status == RunStatus.DONE
    assert Finding.objects.count() == 3


def test_run_checks_refuses_a_month_without_approved_lists_and_a_bad_month(tree):
    old_subjects(("3661000001", 1, "tuition_waiver"))  # autumn 2024 only
    with pytest.raises(CommandError, match="2022"):
        call_command("run_checks", month="2023-03", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("run_checks", month="2024-13", stdout=io.StringIO())


def test_run_checks_refuses_while_a_run_of_the_month_is_in_progress(tree):
    old_subjects(("3661000001", 1, "tuition_waiver"))
    Run.objects.create(month=MONTH, engine="duckdb", status=RunStatus.RUNNING)
    with pytest.raises(CommandError, match=MONTH):
        call_command("run_checks", month=MONTH, stdout=io.StringIO())


@pytest.fixture
def findings(users):
    """Two findings whose row_id is a real recipient row (so the full ID is known), one whose
    detail looks like a formula, and one of another month."""
    listed = make_list(users["school_operator"].unit, 11, 12, actor=users["school_operator"])
    rows = list(listed.rows.order_by("row_number"))
    run = make_run()
    make_finding(run, "3661000001", rule=23, pid=11, row_id=rows[0].pk)
    make_finding(run, "3661000001", rule=11, pid=12, row_id=rows[1].pk)
    make_finding(run, "3661000003", rule=24, pid=13, row_id=999_999, detail="=1+2")
    make_finding(make_run("2024-11"), "3661000001", rule=23, pid=14)
    return rows


def test_export_findings_writes_the_columns_with_masked_ids(findings, tmp_path):
    out = tmp_path / "findings.csv"
    call_command("export_findings", month=MONTH, out=str(out), stdout=io.StringIO())
    text = out.read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert len(rows) == 4
    assert rows[1] == [
        MONTH,
        "11",
        "medium",
        "tuition_waiver",
        "3661000001",
        "610102********0012",
        "3461000001",
        "enrolment_senior_high",
        "",
    ]
    assert rows[3][5] == "610102********0013" and rows[3][8] == "'=1+2"  # formula neutralised
    assert not any(make_id(11) in line for line in text.splitlines())
    event = AuditEvent.objects.get(action="anomalies.export")
    assert event.detail["rows"] == 3 and event.detail["masked"] is True


def test_export_findings_unmasked_shows_full_ids_and_is_audited(findings, tmp_path):
    out = tmp_path / "findings.xlsx"
    err = io.StringIO()
    call_command(
        "export_findings",
        month=MONTH,
        unmasked=True,
        out=str(out),
        stdout=io.StringIO(),
        stderr=err,
    )
    sheet = openpyxl.load_workbook(out, read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    ids = {row[1]: row[5] for row in rows[1:]}
    assert ids == {11: make_id(12), 23: make_id(11), 24: "610102********0013"}
    assert "1 findings name list rows that are not in the database" in err.getvalue()
    event = AuditEvent.objects.get(action="anomalies.export_unmasked")
    assert event.detail == {"month": MONTH, "rows": 3, "out": str(out), "masked": False}
    assert event.actor_username.startswith("cli:")


def test_export_findings_checks_its_arguments(db, tmp_path):
    with pytest.raises(CommandError, match=".csv or .xlsx"):
        call_command("export_findings", month=MONTH, out=str(tmp_path / "f.txt"))
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("export_findings", month="24-10", out=str(tmp_path / "f.csv"))


@pytest.mark.spark
def test_run_checks_runs_on_spark_too(tree):
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'zizhu[spark]')")
    old_subjects(("3661000001", 1, "tuition_waiver"))
    out = io.StringIO()
    call_command("run_checks", month=MONTH, engine="spark", stdout=out)
    assert out.getvalue().splitlines()[-1] == "total\t1"
    assert Run.objects.get().engine == "spark"
