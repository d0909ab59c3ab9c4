"""Known vulnerabilities in the locked dependencies (pip-audit), run by test.sh.

    .venv/bin/python scripts/audit_dependencies.py [--environment] [--ignores FILE]
                                                   [--report FILE] [--today D]

1. The ignore list (scripts/pip-audit-ignores.toml) is checked first, offline: every entry
   names the vulnerability, the package, a reason and an expiry date at most a year ahead; an
   expired or incomplete entry fails.
2. The locks are checked against pyproject.toml, offline: requirements.lock pins every direct
   dependency of the app and of the dev and spark extras, requirements-app.lock every one of
   the app, each at a version its range allows, and the app lock pins nothing the full lock
   pins differently (scripts/lock.sh regenerates both). A stale lock fails.
3. pip-audit audits every version pinned in requirements.lock (`-r … --require-hashes
   --disable-pip`: nothing is installed or resolved; a pin for another platform or Python
   is audited too) against PyPI's vulnerability data, ignoring the listed ids. A reported
   vulnerability fails, with the versions that fix it. `--environment` audits the packages
   installed in this environment instead (the project itself, installed editable, excepted).
4. When the vulnerability service answers for none of the packages (offline, or an index that
   serves packages but not the per-version vulnerability data) nothing was audited: the run
   says so in a SKIPPED line and passes, unless ZIZHU_PIP_AUDIT_REQUIRED=1, which makes it
   fail (docs/adr/0024-inert-uploads-and-supply-chain-gates.md). Packages the service did not
   know while it answered for others are listed as not audited.

--report reads a pip-audit JSON report instead of running pip-audit.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
IGNORES = Path(__file__).with_name("pip-audit-ignores.toml")
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
APP_LOCK = ROOT / "requirements-app.lock"
LOCKED_EXTRAS = ("dev", "spark")
LONGEST_IGNORE = dt.timedelta(days=366)
LONGEST_RUN = 120  # seconds, each pip-audit run; one takes about 12 here
FIELDS = ("id", "package", "reason", "expires")


def check_ignores(path: Path, today: dt.date) -> tuple[list[str], list[str]]:
    """The ids to ignore, and the problems with the list (each fails the run)."""
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("ignore", [])
    ids, problems = [], []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {number} ({entry.get('id', '?')})"
        missing = [f for f in FIELDS if not str(entry.get(f, "")).strip()]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        expires = entry["expires"]
        if not isinstance(expires, dt.date) or isinstance(expires, dt.datetime):
            problems.append(f"{where}: expires must be a date (YYYY-MM-DD)")
        elif expires < today:
            problems.append(f"{where}: expired on {expires}; fix the dependency or renew")
        elif expires > today + LONGEST_IGNORE:
            problems.append(f"{where}: expires more than a year ahead ({expires})")
        else:
            ids.append(entry["id"])
    return ids, problems


def read_lock(path: Path) -> list[tuple[str, str, str]]:
    """The pins of a lock file: (name, version, the whole requirement with its hashes)."""
    pins, block = [], ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith((" ", "\t")) and block:
            if not line.lstrip().startswith("#"):
                block += "\n" + line
            continue
        if block:
            requirement = Requirement(block.split("\\", 1)[0].split("--hash", 1)[0].strip())
            (specifier,) = requirement.specifier
            pins.append((canonicalize_name(requirement.name), specifier.version, block))
        block = "" if not line or line.startswith("#") else line
    return pins


def lock_problems(pyproject: Path, lock: Path, app_lock: Path) -> list[str]:
    """What the locks miss of pyproject.toml's direct dependencies (each fails the run)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    app = [Requirement(r) for r in project["dependencies"]]
    extras = [Requirement(r) for e in LOCKED_EXTRAS for r in project["optional-dependencies"][e]]
    problems = []
    for path, wanted in ((lock, app + extras), (app_lock, app)):
        if not path.exists():
            problems.append(f"{path.name} is missing; run scripts/lock.sh")
            continue
        versions: dict[str, list[str]] = {}
        for name, version, _ in read_lock(path):
            versions.setdefault(name, []).append(version)
        for requirement in wanted:
            found = versions.get(canonicalize_name(requirement.name), [])
            wrong = [v for v in found if Version(v) not in requirement.specifier]
            if not found or wrong:
                pinned = ", ".join(found) or "nothing"
                problems.append(f"{path.name} pins {pinned} for {requirement}; run scripts/lock.sh")
    if lock.exists() and app_lock.exists():
        full = {(n, v) for n, v, _ in read_lock(lock)}
        for name, version, _ in read_lock(app_lock):
            if (name, version) not in full:
                problems.append(f"{app_lock.name} pins {name} {version}, {lock.name} does not")
    return problems


def audit_files(lock: Path, folder: Path) -> list[Path]:
    """The lock as requirement files pip-audit reads: markers dropped, so that every pin is
    audited whatever the platform, and split so that no file names a package twice (a lock
    for several Pythons may pin two versions of one package)."""
    files: list[list[str]] = []
    for name, _, block in read_lock(lock):
        first, _, rest = block.partition("\n")
        line = first.removesuffix("\\").split(";", 1)[0].rstrip() + (" \\" if rest else "")
        for pins in files:
            if name not in {n for n, _ in pins}:
                break
        else:
            pins = []
            files.append(pins)
        pins.append((name, f"{line}\n{rest}" if rest else line))
    paths = []
    for number, pins in enumerate(files, start=1):
        path = folder / f"locked-{number}.txt"
        path.write_text("\n".join(text for _, text in pins) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def run_pip_audit(ignored: list[str], lock: Path | None) -> tuple[dict | None, str]:
    """pip-audit's JSON report on the lock (None: the installed environment), or None and
    why there is none."""
    with tempfile.TemporaryDirectory() as folder:
        if lock is None:
            return _pip_audit(ignored, ["--skip-editable"], Path(folder))
        merged: list[dict] = []
        for requirements in audit_files(lock, Path(folder)):
            arguments = ["-r", str(requirements), "--require-hashes", "--disable-pip"]
            report, error = _pip_audit(ignored, arguments, Path(folder))
            if report is None:
                return None, error
            merged += report.get("dependencies", [])
        return {"dependencies": merged}, ""


def _pip_audit(ignored: list[str], arguments: list[str], folder: Path) -> tuple[dict | None, str]:
    report = folder / "report.json"
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "pip_audit", *arguments]
    command += ["--progress-spinner", "off", "--timeout", "10"]
    command += ["--format", "json", "--output", str(report)]
    for vulnerability in ignored:
        command += ["--ignore-vuln", vulnerability]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=LONGEST_RUN, check=False
        )
    except subprocess.TimeoutExpired:
        return None, f"pip-audit did not finish in {LONGEST_RUN} s (the service hangs)"
    if not report.exists() or not report.stat().st_size:
        return None, (done.stderr or done.stdout).strip()[-2000:]
    return json.loads(report.read_text(encoding="utf-8")), ""


def judge(report: dict | None, ignored: list[str], error: str, required: bool) -> int:
    """Print the outcome; 0 to pass, 1 to fail."""
    dependencies = (report or {}).get("dependencies", [])
    unaudited = [
        d for d in dependencies if d.get("skip_reason") and "editable" not in d["skip_reason"]
    ]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    found = [
        (d, v)
        for d in audited
        for v in d.get("vulns", [])
        if not {v["id"], *v.get("aliases", [])} & set(ignored)
    ]
    for dependency, vulnerability in found:
        fixes = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version yet"
        aliases = ", ".join(vulnerability.get("aliases", []))
        print(
            f"pip-audit: {dependency['name']} {dependency['version']}: {vulnerability['id']}"
            f"{f' ({aliases})' if aliases else ''}; fixed in {fixes}"
        )
    if found:
        print(f"pip-audit: FAILED: {len(found)} known vulnerabilities (see {IGNORES.name})")
        return 1
    if not audited:
        example = f" (first: {unaudited[0]['skip_reason']})" if unaudited else ""
        reason = error or f"the service answered for none of {len(unaudited)} packages{example}"
        print(f"pip-audit: SKIPPED: nothing was audited: {reason}")
        if required:
            print("pip-audit: FAILED: ZIZHU_PIP_AUDIT_REQUIRED=1 asks for a real audit")
            return 1
        return 0
    if unaudited:
        names = ", ".join(sorted(d["name"] for d in unaudited))
        print(f"pip-audit: not audited (unknown to the service): {names}")
    print(
        f"pip-audit: {len(audited)} packages audited, no known vulnerabilities"
        f"{f' ({len(ignored)} ignored by the list)' if ignored else ''}"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ignores", type=Path, default=IGNORES)
    parser.add_argument(
        "--environment", action="store_true", help="audit the installed packages, not the lock"
    )
    parser.add_argument("--lock", type=Path, default=LOCK, help=argparse.SUPPRESS)
    parser.add_argument("--app-lock", type=Path, default=APP_LOCK, help=argparse.SUPPRESS)
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help="a pip-audit JSON report to judge")
    today = dt.datetime.now(dt.UTC).date()
    parser.add_argument("--today", type=dt.date.fromisoformat, default=today)
    options = parser.parse_args()

    ignored, problems = check_ignores(options.ignores, options.today)
    for problem in problems:
        print(f"pip-audit: ignore list: {problem}")
    stale = lock_problems(options.pyproject, options.lock, options.app_lock)
    for problem in stale:
        print(f"pip-audit: lock: {problem}")
    if problems or stale:
        return 1
    if options.report:
        report, error = json.loads(options.report.read_text(encoding="utf-8")), ""
    else:
        report, error = run_pip_audit(ignored, None if options.environment else options.lock)
    required = os.environ.get("ZIZHU_PIP_AUDIT_REQUIRED") == "1"
    return judge(report, ignored, error, required)


if __name__ == "__main__":
    sys.exit(main())
