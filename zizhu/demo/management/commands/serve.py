import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from zizhu.demo.province import demo_accounts, format_account
from zizhu.units.models import Unit


class Command(BaseCommand):
    help = (
        "Migrate, load the demo if the database is empty, print the demo accounts, start a job "
        "worker and serve the site with gunicorn (WSGI)."
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
        # the two child processes run this interpreter with fixed arguments
        worker = subprocess.Popen([sys.executable, "manage.py", "run_huey"], env=env)  # noqa: S603
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "zizhu.wsgi",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ],
            env=env,
        )
        self.stdout.write(f"serving on http://{bind}/  (Ctrl-C to stop)")
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in (server, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (server, worker):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
