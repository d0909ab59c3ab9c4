from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zizhu.funds.services import filings_lock_overdue


# Every five minutes: submitted filings whose deadline has passed become locked. The services
# already refuse edits past the deadline, so the rule holds between two runs (ADR 0006).
@db_periodic_task(crontab(minute="*/5"), name="funds.lock_overdue")
def lock_overdue() -> None:
    filings_lock_overdue()
