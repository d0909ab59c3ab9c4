"""Keeping the embedded worker alive (used by `manage.py serve`).

The supervisor restarts a worker process that exits, after a back-off that grows with each
quick failure (1, 2, 4, … 30 s), logging each restart. A worker that lived `healthy_after`
seconds resets the count. After `max_failures` quick failures in a row it gives up, and
`serve` stops the web server and exits non-zero: a site whose jobs silently stopped is worse
than a site that is down. Each time a worker dies, `on_exit(pid, code)` is called so the jobs
it was running are failed at once (jobs_recover by worker).
"""

import logging
import subprocess
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

BACKOFF = (1, 2, 4, 8, 16, 30)


class Supervisor:
    def __init__(
        self,
        command: Sequence[str],
        *,
        env: dict | None = None,
        cwd: str | None = None,
        on_exit: Callable[[int, int], None] | None = None,
        backoff: Sequence[float] = BACKOFF,
        max_failures: int = 5,
        healthy_after: float = 60,
        name: str = "worker",
    ):
        self.command, self.env, self.cwd = list(command), env, cwd
        self.on_exit, self.backoff = on_exit, tuple(backoff)
        self.max_failures, self.healthy_after, self.name = max_failures, healthy_after, name
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.failures = 0  # quick failures in a row
        self.restarts = 0
        self.restart_at: float | None = None
        self.gave_up = False

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd)  # noqa: S603
        self.started_at = time.monotonic()
        self.restart_at = None
        log.info("%s started (pid %s)", self.name, self.process.pid)

    def check(self) -> bool:
        """Look after the worker once; False when it gave up (the worker cannot be kept up)."""
        if self.gave_up:
            return False
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restarts += 1
                self.start()
            return True
        code = self.process.poll() if self.process else None
        if code is None:
            return True
        pid = self.process.pid
        lived = now - self.started_at
        self.failures = 1 if lived >= self.healthy_after else self.failures + 1
        if self.on_exit is not None:
            try:
                self.on_exit(pid, code)
            except Exception:
                log.exception("%s (pid %s): failing its jobs did not work", self.name, pid)
        if self.failures > self.max_failures:
            log.error(
                "%s (pid %s) exited with code %s; %s quick failures in a row: giving up",
                self.name,
                pid,
                code,
                self.failures,
            )
            self.gave_up = True
            return False
        delay = self.backoff[min(self.failures - 1, len(self.backoff) - 1)]
        log.warning(
            "%s (pid %s) exited with code %s after %.0f s; restarting in %s s (failure %s of %s)",
            self.name,
            pid,
            code,
            lived,
            delay,
            self.failures,
            self.max_failures,
        )
        self.restart_at = now + delay
        return True

    def stop(self, timeout: float = 10) -> None:
        process = self.process
        self.restart_at = None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def supervise(server: subprocess.Popen, worker: Supervisor, poll: float = 0.5) -> int:
    """Run until the web server exits or the worker cannot be kept up; the exit code for
    `serve` (non-zero in both cases: neither should stop while the site is meant to run)."""
    while True:
        code = server.poll()
        if code is not None:
            log.error("the web server exited with code %s", code)
            return code or 1
        if not worker.check():
            log.error("the job worker cannot be kept running: stopping the site")
            return 1
        time.sleep(poll)
