"""Job kinds: plain functions `fn(job, progress)` registered by name.

The same function runs whatever the queue is (SQLite consumer, Redis workers, inline in
tests): the queue only carries the job id.
"""

from collections.abc import Callable

JOB_KINDS: dict[str, Callable] = {}
# kind → fn(job, reason): called when a running job of the kind is found abandoned (its worker
# died), so the kind can fail the objects it was carrying out (a check run, say)
ON_ABANDON: dict[str, Callable] = {}
# what people read: the kind's title, and the URL name of the page that starts such jobs (its
# job pages sit under that page in the breadcrumbs)
JOB_TITLES: dict[str, str] = {}
JOB_PAGES: dict[str, str] = {}


def job_kind(name: str, on_abandon: Callable | None = None, *, title: str = "", page: str = ""):
    def register(fn: Callable) -> Callable:
        JOB_KINDS[name] = fn
        if on_abandon is not None:
            ON_ABANDON[name] = on_abandon
        if title:
            JOB_TITLES[name] = title
        if page:
            JOB_PAGES[name] = page
        return fn

    return register
