"""Job kinds: plain functions `fn(job, progress)` registered by name.

The same function runs whatever the queue is (SQLite consumer, Redis workers, inline in
tests): the queue only carries the job id.
"""

from collections.abc import Callable

JOB_KINDS: dict[str, Callable] = {}
# kind → fn(job, reason): called when a running job of the kind is found abandoned (its worker
# died), so the kind can fail the objects it was carrying out (a check run, say)
ON_ABANDON: dict[str, Callable] = {}


def job_kind(name: str, on_abandon: Callable | None = None):
    def register(fn: Callable) -> Callable:
        JOB_KINDS[name] = fn
        if on_abandon is not None:
            ON_ABANDON[name] = on_abandon
        return fn

    return register
