from django.core.management.base import BaseCommand, CommandError

from zizhu.anomalies.engine import load_rules
from zizhu.anomalies.models import Engine, RunStatus
from zizhu.anomalies.services import RunConflict, RunError, run_create
from zizhu.jobs.services import job_run


class Command(BaseCommand):
    help = (
        "Run the 24 anomaly rules for a month: the recipient lists approved in the database "
        "(written into the analytics store by the run itself) against the registers of the "
        "store (ZIZHU_STORE); replace the month's findings, and print the findings per rule: "
        "`rule<TAB>count` lines and a `total<TAB>count` line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--engine", choices=Engine.values, default=Engine.DUCKDB)

    def handle(self, *args, month, engine, **options):
        try:
            run = run_create(month=month, engine=engine, enqueue=False)
        except (ValueError, RunConflict, RunError) as exc:
            raise CommandError(str(exc)) from exc
        job_run(run.job_id)  # here, in this process: the command returns when the run is over
        run.refresh_from_db()
        if run.status != RunStatus.DONE:
            raise CommandError(f"run #{run.pk} of {run.month} failed: {run.error}")
        for rule in load_rules():
            self.stdout.write(f"{rule.number}\t{run.counts.get(str(rule.number), 0)}")
        self.stdout.write(f"total\t{run.total}")
