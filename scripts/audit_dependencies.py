"""Known vulnerabilities in the installed dependencies (pip-audit), run by test.sh.

    .venv/bin/python scripts/audit_dependencies.py [--ignores FILE] [--report FILE] [--today D]

1. The ignore list (scripts/pip-audit-ignores.toml) is checked first, offline: every entry
   names the vulnerability, the package, a reason and an expiry date at most a year ahead; an
   expired or incomplete entry fails.
2. pip-audit audits every package installed in this environment (the project itself, installed
   editable, excepted) against PyPI's vulnerability data, ignoring the listed ids. A reported
   vulnerability fails, with the versions that fix it.
3. When the vulnerability service answers for none of the packages (offline, or an index that
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

IGNORES = Path(__file__).with_name("pip-audit-ignores.toml")
LONGEST_IGNORE = dt.timedelta(days=366)
LONGEST_RUN = 120  # seconds; it takes about 7 here
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


def run_pip_audit(ignored: list[str]) -> tuple[dict | None, str]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "pip_audit", "--skip-editable"]
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
    parser.add_argument("--report", type=Path, help="a pip-audit JSON report to judge")
    today = dt.datetime.now(dt.UTC).date()
    parser.add_argument("--today", type=dt.date.fromisoformat, default=today)
    options = parser.parse_args()

    ignored, problems = check_ignores(options.ignores, options.today)
    for problem in problems:
        print(f"pip-audit: ignore list: {problem}")
    if problems:
        return 1
    if options.report:
        report, error = json.loads(options.report.read_text(encoding="utf-8")), ""
    else:
        report, error = run_pip_audit(ignored)
    required = os.environ.get("ZIZHU_PIP_AUDIT_REQUIRED") == "1"
    return judge(report, ignored, error, required)


if __name__ == "__main__":
    sys.exit(main())
