"""The supply-chain and deployment gates of the test command: scripts/audit_dependencies.py
(pip-audit with an expiring ignore list) and scripts/deploy_check.sh (check --deploy under
production settings, warnings fail)."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "scripts" / "audit_dependencies.py"
TODAY = "2026-12-04"


def audit(tmp_path, *, ignores: str = "", report: dict | None = None, env=None):
    ignore_file = tmp_path / "ignores.toml"
    ignore_file.write_text(ignores, encoding="utf-8")
    command = [sys.executable, str(AUDIT), "--ignores", str(ignore_file), "--today", TODAY]
    if report is not None:
        report_file = tmp_path / "report.json"
        report_file.write_text(json.dumps(report), encoding="utf-8")
        command += ["--report", str(report_file)]
    environment = {k: v for k, v in os.environ.items() if k != "ZIZHU_PIP_AUDIT_REQUIRED"}
    return subprocess.run(
        command, capture_output=True, text=True, env=environment | (env or {}), check=False
    )


def entry(expires: str, reason: str = "the affected parser is never called") -> str:
    return (
        f'[[ignore]]\nid = "GHSA-aaaa-bbbb-cccc"\npackage = "example"\n'
        f'reason = "{reason}"\nexpires = {expires}\n'
    )


VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {
            "name": "example",
            "version": "1.0",
            "vulns": [
                {"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2026-0001"], "fix_versions": ["1.1"]}
            ],
        },
        {"name": "zizhu", "skip_reason": "distribution marked as editable"},
    ]
}
UNANSWERED = {
    "dependencies": [
        {"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: {n}"}
        for n in ("django", "pillow")
    ]
}


def test_the_repositorys_ignore_list_is_valid_today():
    today = dt.datetime.now(dt.UTC).date().isoformat()
    done = subprocess.run(
        [sys.executable, str(AUDIT), "--today", today, "--report", os.devnull],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "ignore list" not in done.stdout


def test_an_expired_ignore_fails_before_anything_is_audited(tmp_path):
    done = audit(tmp_path, ignores=entry("2026-12-03"), report=VULNERABLE)

    assert done.returncode == 1
    assert "expired on 2026-12-03" in done.stdout and "example 1.0" not in done.stdout


@pytest.mark.parametrize(
    ("ignores", "problem"),
    [
        (entry("2027-06-30", reason=""), "missing reason"),
        (entry("2028-01-01"), "more than a year ahead"),
        (entry('"soon"'), "must be a date"),
    ],
)
def test_an_ignore_without_a_reason_or_a_near_expiry_fails(tmp_path, ignores, problem):
    done = audit(tmp_path, ignores=ignores, report=VULNERABLE)

    assert done.returncode == 1 and problem in done.stdout


def test_a_reported_vulnerability_fails_with_its_fix_and_a_valid_ignore_lets_it_pass(tmp_path):
    failed = audit(tmp_path, report=VULNERABLE)
    assert failed.returncode == 1
    assert "example 1.0: GHSA-aaaa-bbbb-cccc (CVE-2026-0001); fixed in 1.1" in failed.stdout

    passed = audit(tmp_path, ignores=entry("2027-03-31"), report=VULNERABLE)
    assert passed.returncode == 0
    assert "2 packages audited, no known vulnerabilities (1 ignored" in passed.stdout


def test_when_the_service_answers_for_nothing_it_says_skipped_or_fails_when_required(tmp_path):
    skipped = audit(tmp_path, report=UNANSWERED)
    assert skipped.returncode == 0
    assert "SKIPPED: nothing was audited" in skipped.stdout
    assert "none of 2 packages" in skipped.stdout

    required = audit(tmp_path, report=UNANSWERED, env={"ZIZHU_PIP_AUDIT_REQUIRED": "1"})
    assert required.returncode == 1 and "FAILED" in required.stdout


def deploy_check(**env):
    return subprocess.run(
        [str(ROOT / "scripts" / "deploy_check.sh")],
        capture_output=True,
        text=True,
        env=os.environ | env,
        cwd=ROOT,
        check=False,
    )


def test_the_production_settings_pass_the_deployment_checklist():
    done = deploy_check()

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_a_weakened_production_setting_fails_the_deployment_checklist():
    done = deploy_check(ZIZHU_SSL_REDIRECT="0")

    assert done.returncode == 1
    assert "security.W008" in done.stderr
