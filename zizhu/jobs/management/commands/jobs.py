import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zizhu.jobs.models import Job
from zizhu.jobs.registry import JOB_KINDS
from zizhu.jobs.services import job_create, jobs_recover


class Command(BaseCommand):
    help = "List background jobs with status and progress, show one, or enqueue one."

    def add_arguments(self, parser):
        parser.add_argument("job_id", nargs="?", type=int)
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--enqueue", metavar="KIND", help=f"one of {sorted(JOB_KINDS)}")
        parser.add_argument("--params", default="{}", help="job parameters as JSON")
        parser.add_argument(
            "--recover",
            action="store_true",
            help="fail the running jobs whose worker stopped beating (ZIZHU_JOB_STALE_SECONDS)",
        )

    def handle(self, *args, job_id=None, limit=20, enqueue=None, params="{}", **options):
        if options.get("recover"):
            for job in jobs_recover():
                self.stdout.write(f"#{job.pk}\t{job.kind}\tfailed: worker {job.worker} stopped")
            return
        if enqueue:
            if enqueue not in JOB_KINDS:
                raise CommandError(f"unknown job kind {enqueue!r}; known: {sorted(JOB_KINDS)}")
            with transaction.atomic():
                job = job_create(kind=enqueue, params=json.loads(params))
            self.stdout.write(str(job.pk))
            return
        if job_id is not None:
            jobs = list(Job.objects.filter(pk=job_id))
            if not jobs:
                raise CommandError(f"no job #{job_id}")
        else:
            jobs = Job.objects.all()[:limit]
        for job in jobs:
            self.stdout.write(
                f"#{job.pk}\t{job.kind}\t{job.status}\t{job.done}/{job.total}\t{job.percent}%\t"
                f"{job.created_at:%Y-%m-%d %H:%M}\t{job.message}"
            )
