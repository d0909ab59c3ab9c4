import sys

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from zizhu.ops.uploads import MISSING, REENCODE, REFUSED, Found, uploads_recheck


class Command(BaseCommand):
    help = (
        "Run today's upload checks over every stored voucher file, explanation attachment and "
        "filing body; print each file they would refuse or re-encode (kind, id, unit, what, "
        "why). With --fix, move refused files to the quarantine folder and re-encode images; "
        "each fix is audited. Exit 1 when, without --fix, a file would be refused or re-encoded "
        "(a missing file is reported, not counted)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="quarantine refused files, re-encode images"
        )

    def handle(self, *args, fix: bool, **options):
        with translation.override("zh-hans"):
            tally = uploads_recheck(fix=fix, report=lambda found: self._line(found, fix))
            found = tally.found
            self.stdout.write(
                _(
                    "%(checked)d stored files checked: %(refused)d refused, %(reencode)d to "
                    "re-encode, %(missing)d missing, %(fixed)d fixed"
                )
                % {"checked": tally.checked, **found, "fixed": tally.fixed}
            )
        if not fix and found[REFUSED] + found[REENCODE]:
            sys.exit(1)

    def _line(self, found: Found, fix: bool) -> None:
        outcomes = {
            REFUSED: _("quarantined") if fix else _("would be refused"),
            REENCODE: _("re-encoded") if fix else _("to re-encode"),
            MISSING: _("missing"),
        }
        model = found.record._meta
        self.stdout.write(
            "\t".join(
                [
                    str(model.verbose_name),
                    str(found.record.pk),
                    found.unit_code,
                    outcomes[found.outcome],
                    found.reason,
                ]
            )
        )
