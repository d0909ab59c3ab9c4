from django.core.management.base import BaseCommand
from django.utils import timezone

from zizhu.audit.verify import audit_verify


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain in order; print 'OK n events', or the first broken "
        "link (event id, time, why) and exit with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000, help="rows read at a time")

    def handle(self, *args, batch: int, **options):
        count, broken = audit_verify(batch=max(batch, 1))
        if broken is None:
            self.stdout.write(f"OK {count} events")
            return
        at = timezone.localtime(broken.at).isoformat(timespec="seconds")
        self.stderr.write(
            f"BROKEN at event {broken.event_id} ({at}): {broken.reason}; "
            f"{count} events before it verified"
        )
        raise SystemExit(1)
