"""Job kinds: plain functions `fn(job, progress)` registered by name.

The same function runs whatever the queue is (SQLite consumer, Redis workers, inline in
tests): the queue only carries the job id.
"""

from collections.abc import Callable

JOB_KINDS: dict[str, Callable] = {}
# what people read: the kind's title, and the URL name of the page that starts such jobs (its
# job pages sit under that page in the breadcrumbs)
JOB_TITLES: dict[str, str] = {}
JOB_PAGES: dict[str, str] = {}


def job_kind(name: str, *, title: str = "", page: str = ""):
    def register(fn: Callable) -> Callable:
        JOB_KINDS[name] = fn
        if title:
            JOB_TITLES[name] = title
        if page:
            JOB_PAGES[name] = page
        return fn

    return register
