from django.core.management.base import BaseCommand, CommandError

from zizhu.jobs.models import Job
from zizhu.jobs.services import job_create, job_run


class Command(BaseCommand):
    help = "List background jobs with status and progress, show one, or run a self-check job."

    def add_arguments(self, parser):
        parser.add_argument("job_id", nargs="?", type=int)
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument(
            "--selfcheck", action="store_true", help="enqueue a short job and run it inline"
        )

    def handle(self, *args, job_id=None, limit=20, selfcheck=False, **options):
        if selfcheck:
            job = job_create(kind="selfcheck", params={"steps": 3}, enqueue=False)
            job = job_run(job.pk)
            self.stdout.write(f"#{job.pk} {job.kind} {job.status} {job.percent}%")
            return
        if job_id is not None:
            job = Job.objects.filter(pk=job_id).first()
            if job is None:
                raise CommandError(f"no job #{job_id}")
            jobs = [job]
        else:
            jobs = Job.objects.all()[:limit]
        for job in jobs:
            self.stdout.write(
                f"#{job.pk}\t{job.kind}\t{job.status}\t{job.done}/{job.total}\t{job.percent}%\t"
                f"{job.created_at:%Y-%m-%d %H:%M}\t{job.message}"
            )
