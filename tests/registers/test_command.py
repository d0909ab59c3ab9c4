"""`import_register --kind KIND --month YYYY-MM FILE` (docs/domain.md, formats): its output and
exit status."""

import io

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from tests.registers.conftest import MONTH, good_rows, write_file
from zizhu.registers.models import Snapshot, Status


def run(*args) -> tuple[int, str, str]:
    """Run the command as the shell would; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_register", *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_it_imports_and_prints_the_rows_written(db, store, files):
    path = write_file(files, "enrolment", good_rows("enrolment", 4), chinese=True)
    status, out, _ = run("--kind", "enrolment_vocational", "--month", MONTH, str(path))
    assert status == 0
    assert out.startswith(
        "imported: 4 rows written as the enrolment_vocational snapshot of 2024-10"
    )
    assert pq.read_table(store / "registers/enrolment_vocational/month=2024-10").num_rows == 4


def test_it_prints_every_error_and_writes_nothing(db, store, files):
    rows = good_rows("graduates", 3)
    rows[0]["graduation_year"] = "二〇二四"
    rows[2]["school_code"] = "12345"
    path = write_file(files, "graduates", rows)
    status, out, err = run("--kind", "graduates_senior_high", "--month", MONTH, str(path))
    assert status == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[:2] == [
        "row 2\tgraduation_year\t毕业年份应为四位数字年份",
        "row 4\tschool_code\t学校标识码应为10位数字",
    ]
    assert lines[2] == "CommandError: 2 error(s); nothing was written"
    assert not any(store.rglob("*.parquet"))
    assert Snapshot.objects.get().status == Status.FAILED


def test_a_dry_run_only_validates(db, store, files):
    path = write_file(files, "recipients", good_rows("recipients", 2), "xlsx")
    status, out, _ = run("--kind", "recipients_higher", "--month", MONTH, "--dry-run", str(path))
    assert (status, out.strip()) == (0, "valid: 2 rows (dry run, nothing written)")
    assert not store.exists()
    assert not Snapshot.objects.exists()


def test_it_refuses_a_bad_month_a_missing_file_and_an_unknown_kind(db, store, files, capsys):
    path = write_file(files, "recipients", good_rows("recipients", 1))
    assert run("--kind", "recipients_higher", "--month", "2024-1", str(path))[0] == 1
    status, _, err = run("--kind", "recipients_higher", "--month", MONTH, str(files / "no.csv"))
    assert status == 1 and "no such file" in err
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(
            [
                "manage.py",
                "import_register",
                "--kind",
                "recipients_primary",
                "--month",
                MONTH,
                str(path),
            ]
        )
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_shell_sees_a_non_zero_exit_status(db, store, files, capsys):
    rows = good_rows("enrolment", 1)
    rows[0]["phone"] = "12345"
    path = write_file(files, "enrolment", rows)
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(
            [
                "manage.py",
                "import_register",
                "--kind",
                "enrolment_compulsory",
                "--month",
                MONTH,
                str(path),
            ]
        )
    assert exit_info.value.code == 1
    assert "row 2\tphone\t联系电话应为11位手机号码" in capsys.readouterr().err
