"""Job kinds: plain functions `fn(job, progress)` registered by name.

The same function runs whatever the queue is (SQLite consumer, Redis workers, inline in
tests): the queue only carries the job id.
"""

from collections.abc import Callable

JOB_KINDS: dict[str, Callable] = {}


def job_kind(name: str):
    def register(fn: Callable) -> Callable:
        JOB_KINDS[name] = fn
        return fn

    return register
