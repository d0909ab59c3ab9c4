from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zizhu.anomalies.services import run_scheduled


# The 3rd of every month, 02:30 local time: the current month is checked, once the registers
# of the month's first days are in (docs/anomaly-alerts.md, "Schedule").
@db_periodic_task(crontab(day="3", hour="2", minute="30"))
def anomaly_run_monthly() -> None:
    run_scheduled()
