from django.core.management.base import BaseCommand, CommandError

from zizhu.audit.services import audit_record
from zizhu.lib import sealing
from zizhu.recipients.fields import keyring
from zizhu.recipients.sealing import rows_reseal


class Command(BaseCommand):
    help = (
        "Re-seal every recipient row's ID, phone and bank card number under the first key of "
        "ZIZHU_DATA_KEYS, in batches (each commits; a stopped run resumes). Run it after "
        "putting a new key first; remove the old key only after it reports 0 rows left."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000, help="rows per UPDATE")
        parser.add_argument(
            "--new-key", action="store_true", help="only print a fresh random key and exit"
        )

    def handle(self, *args, batch, new_key: bool, **options):
        if new_key:
            self.stdout.write(sealing.new_key())
            return
        if batch < 1:
            raise CommandError("--batch must be positive")
        ring = keyring()
        try:
            rows = rows_reseal(
                ring, batch=batch, progress=lambda n: self.stderr.write(f"{n} rows re-sealed")
            )
        except sealing.SealError as exc:
            raise CommandError(f"{exc}; keep every old key in ZIZHU_DATA_KEYS until done") from exc
        detail = {"key": ring.current, "rows": rows}
        audit_record(action="recipients.rotate_data_keys", detail=detail)
        self.stdout.write(f"{rows} rows re-sealed under key {ring.current}")
