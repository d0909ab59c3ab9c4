from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zizhu.synth.cli import add_arguments, keep_freed_memory, report
from zizhu.synth.generate import generate


class Command(BaseCommand):
    help = (
        "Write a synthetic world (schools, recipient lists, registers) with planted anomaly "
        "cases, decoys and their ground truth, as raw import files or keyed into the store."
    )

    def add_arguments(self, parser):
        add_arguments(parser)

    def run_from_argv(self, argv):
        # only a process started for this command keeps its freed memory (not a caller of
        # call_command, such as the demo loader or a test process, that goes on afterwards)
        keep_freed_memory()
        super().run_from_argv(argv)

    def handle(self, *args, **options):
        try:
            result = generate(
                out=options["out"],
                scale=options["scale"],
                seed=options["seed"],
                month=options["month"],
                keyed=options["keyed"],
                units_file=options["units"],
                register_format=options["register_format"],
                # raw files are keyed on import with this key: the ground truth shows those pids
                hash_key=settings.ZIZHU_HASH_KEY.encode("utf-8"),
                workers=options["workers"],
            )
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for line in report(result):
            self.stdout.write(line)
