"""The supply-chain and deployment gates of the test command: the lock files and
scripts/audit_dependencies.py (pip-audit on the locked versions with an expiring ignore list)
and scripts/deploy_check.sh (check --deploy under production settings, warnings fail)."""

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "scripts" / "audit_dependencies.py"
TODAY = "2026-12-04"
_spec = importlib.util.spec_from_file_location("audit_dependencies", AUDIT)
assert _spec and _spec.loader
audit_dependencies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit_dependencies)


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


def direct_dependencies(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    return found + [Requirement(r) for e in extras for r in project["optional-dependencies"][e]]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("requirements.lock", ("dev", "spark")), ("requirements-app.lock", ())],
)
def test_the_lock_pins_every_direct_dependency_at_a_version_its_range_allows(lock, extras):
    pins = audit_dependencies.read_lock(ROOT / lock)
    versions: dict[str, list[str]] = {}
    for name, version, block in pins:
        versions.setdefault(name, []).append(version)
        assert "--hash=sha256:" in block, f"{name} {version} has no hash"

    for requirement in direct_dependencies(*extras):
        found = versions.get(canonicalize_name(requirement.name))
        assert found, f"{lock} does not pin {requirement.name}"
        for version in found:
            assert Version(version) in requirement.specifier, f"{lock}: {requirement} {version}"


def test_the_app_lock_pins_the_versions_of_the_full_lock():
    full = {(n, v) for n, v, _ in audit_dependencies.read_lock(ROOT / "requirements.lock")}
    app = {(n, v) for n, v, _ in audit_dependencies.read_lock(ROOT / "requirements-app.lock")}

    assert app and app <= full
    assert ("pyspark" in {n for n, _ in full}) and ("pyspark" not in {n for n, _ in app})


def test_a_lock_behind_pyproject_fails_the_audit_before_anything_is_audited(tmp_path):
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"django>=5.2.8,<5.3",' in pyproject and '"pytest>=8,<10",' in pyproject
    pyproject = pyproject.replace('"django>=5.2.8,<5.3",', '"django>=6.0,<7", "left-pad>=1",')
    pyproject = pyproject.replace('"pytest>=8,<10",', '"pytest>=99",')
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    app_lock = (ROOT / "requirements-app.lock").read_text(encoding="utf-8")
    (tmp_path / "app.lock").write_text(
        app_lock.replace("\nsegno==", "\nsegno==0.0.1; python_version < '3'\nsegno==", 1),
        encoding="utf-8",
    )
    paths = ["--pyproject", tmp_path / "pyproject.toml", "--app-lock", tmp_path / "app.lock"]
    done = subprocess.run(
        [sys.executable, AUDIT, *paths, "--today", TODAY, "--report", os.devnull],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    django = next(
        v for n, v, _ in audit_dependencies.read_lock(ROOT / "requirements.lock") if n == "django"
    )
    for problem in (
        f"requirements.lock pins {django} for django<7,>=6.0; run scripts/lock.sh",
        f"app.lock pins {django} for django<7,>=6.0",
        "requirements.lock pins nothing for left-pad>=1",
        "requirements.lock pins ",
        "for pytest>=99",
        "app.lock pins segno 0.0.1, requirements.lock does not",
    ):
        assert problem in done.stdout
    assert "app.lock pins nothing for pytest" not in done.stdout  # the app lock has no dev extra


def test_the_audit_reads_every_pin_without_markers_and_never_one_package_twice(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "# a comment\n"
        "numpy==2.4.6 ; python_full_version < '3.12' \\\n"
        "    --hash=sha256:aa \\\n"
        "    --hash=sha256:bb\n"
        "    # via pyarrow\n"
        "numpy==2.5.5 ; python_full_version >= '3.12' \\\n"
        "    --hash=sha256:cc\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n"
        "    --hash=sha256:dd\n",
        encoding="utf-8",
    )

    files = [p.read_text() for p in audit_dependencies.audit_files(lock, tmp_path)]

    assert files == [
        "numpy==2.4.6 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n"
        "colorama==0.4.6 \\\n    --hash=sha256:dd\n",
        "numpy==2.5.5 \\\n    --hash=sha256:cc\n",
    ]


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


def test_ci_runs_the_dependency_audit_and_the_deployment_checklist_before_the_tests():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./test.sh" in ci and "set -euo pipefail" in ci
    lines = [
        line.strip()
        for line in (ROOT / "test.sh").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert "set -euo pipefail" in lines  # a failing gate stops the run
    bootstrap = lines.index('scripts/bootstrap.sh "dev,spark"')  # installs requirements.lock
    audit = lines.index(".venv/bin/python scripts/audit_dependencies.py")  # the lock, no flags
    deploy = lines.index("scripts/deploy_check.sh")
    pytest_run = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert bootstrap < audit < pytest_run and deploy < pytest_run
