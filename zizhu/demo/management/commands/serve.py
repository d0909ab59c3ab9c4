import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from zizhu.demo.province import demo_accounts, format_account
from zizhu.jobs.services import jobs_recover, worker_id
from zizhu.jobs.supervisor import Supervisor, supervise
from zizhu.lib.env import env_str
from zizhu.units.models import Unit


class Command(BaseCommand):
    help = (
        "Migrate, load the demo if the database is empty, print the demo accounts, start a job "
        "worker (restarted if it dies) and serve the site with gunicorn (WSGI)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, bind, workers, seed, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not Unit.objects.exists():
            self.stdout.write("loading the demo province …")
            call_command("demo", seed=seed, stdout=open(os.devnull, "w"))  # noqa: SIM115
        for account in demo_accounts():
            self.stdout.write(format_account(account))
        self.stdout.write(
            "Admin roles (sysadmin, secadmin, auditor) set up their TOTP second factor on first "
            "login: scan the QR code or type the key shown into an authenticator app."
        )
        self.stdout.flush()
        env = dict(os.environ)
        # the child processes run this interpreter with fixed arguments
        worker = Supervisor(
            [sys.executable, "manage.py", "run_huey"], env=env, on_exit=_fail_jobs_of
        )
        worker.start()
        access_log = ["--access-logfile", "-"]
        if env_str("ZIZHU_LOG_FORMAT", "") == "json":  # the app writes the access log as JSON
            env.setdefault("ZIZHU_ACCESS_LOG", "1")
            access_log = []
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:zizhu.ops.gunicorn_config",
                "zizhu.wsgi",
                "--bind",
                bind,
                "--workers",
                str(workers),
                *access_log,
            ],
            env=env,
        )
        self.stdout.write(f"serving on http://{bind}/  (Ctrl-C to stop)")
        self.stdout.flush()
        code = 0
        try:
            code = supervise(server, worker)
        except KeyboardInterrupt:
            pass
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            worker.stop()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if code:
            why = (
                "the job worker could not be kept running"
                if worker.gave_up
                else "the web server exited"
            )
            raise CommandError(f"stopped: {why}", returncode=code)


def _fail_jobs_of(pid: int, code: int) -> None:
    """The worker process `pid` died: fail the jobs it was running, now (not a minute later)."""
    from django.db import close_old_connections

    try:
        jobs_recover(worker=worker_id(pid))
    finally:
        close_old_connections()
