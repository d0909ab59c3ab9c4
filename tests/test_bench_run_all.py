"""bench/run_all.py sequences the benchmarks of the README's table: each step names a script
that exists and options that script accepts, and the PostgreSQL steps run only when asked."""

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run_all():
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "bench" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _args(database_url=None, load_database_url=None) -> argparse.Namespace:
    return argparse.Namespace(
        workdir="work",
        database_url=database_url,
        load_database_url=load_database_url,
        cache_url="redis://cache",
        queue_url="redis://queue",
    )


def test_postgresql_steps_only_with_their_databases():
    run_all = _run_all()
    names = [name for name, _, _ in run_all.plan(_args())]
    assert names == [
        "generate",
        "register-csv",
        "lists-xlsx-sqlite",
        "lists-csv-sqlite",
        "anomalies",
    ]
    full = run_all.plan(_args("postgres://x", "y"))
    names = [name for name, _, _ in full]
    assert len(names) == len(set(names)) == 11
    assert names[-2:] == ["load-150", "load-200"]
    environments = {name: env for name, _, env in full}
    assert (
        environments["load-150"]
        == environments["load-200"]
        == {
            "DATABASE_URL": "y",
            "ZIZHU_CACHE_URL": "redis://cache",
            "ZIZHU_JOB_QUEUE": "redis://queue",  # the production stack's queue, not SQLite's
        }
    )
    assert environments["pages"] == {"DATABASE_URL": "y", "ZIZHU_CACHE_URL": "redis://cache"}


def test_every_step_names_a_script_that_accepts_its_options():
    run_all = _run_all()
    steps = run_all.plan(_args("postgres://x", "y"))
    for name, argv, _ in steps:
        script = ROOT / argv[0]
        assert script.is_file(), name
        usage = subprocess.run(
            [sys.executable, str(script), "--help"], capture_output=True, text=True, cwd=ROOT
        )
        assert usage.returncode == 0, (name, usage.stderr)
        for option in (word for word in argv[1:] if word.startswith("--")):
            assert option in usage.stdout, (name, option)


def test_an_unknown_step_is_refused():
    done = subprocess.run(
        [sys.executable, "bench/run_all.py", "--only", "nope"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode != 0
    assert "unknown step 'nope'" in done.stderr


def test_settle_waits_for_idle_cpus_and_gives_up_in_time(monkeypatch):
    """Before each step the machine settles: one window when the CPUs are idle enough, and no
    longer than SETTLE_AT_MOST when they never are."""
    run_all = _run_all()
    monkeypatch.setattr(run_all, "QUIET_SECONDS", 0.2)
    monkeypatch.setattr(run_all, "QUIET_IDLE", 0.0)  # any machine is quiet enough
    quick = run_all.settle().waited
    assert quick < 1.0
    monkeypatch.setattr(run_all, "QUIET_IDLE", 1.01)  # never quiet
    monkeypatch.setattr(run_all, "SETTLE_AT_MOST", 0.7)
    waited = run_all.settle().waited
    assert 0.7 <= waited < 2.0


def test_the_folders_given_to_the_steps_are_absolute():
    """The benchmarks start their own steps in other working folders, so a relative folder
    would be looked for in the wrong place (the rules benchmark's ground truth once was)."""
    folders = [
        value
        for _, argv, _ in _run_all().plan(_args("postgres://x", "y"))
        for option, value in zip(argv, argv[1:], strict=False)
        if option == "--workdir"
    ]
    assert len(folders) == 2
    assert all(Path(folder).is_absolute() for folder in folders)
