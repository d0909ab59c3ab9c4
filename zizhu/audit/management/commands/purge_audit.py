from django.core.management.base import BaseCommand

from zizhu.audit.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit records older than ZIZHU_AUDIT_RETENTION_DAYS (at least 180)."

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {audit_purge()} audit record(s)")
