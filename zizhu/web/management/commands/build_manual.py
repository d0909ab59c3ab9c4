from pathlib import Path

from django.core.management.base import BaseCommand

from zizhu.web.manual_pdf import build_pdf, pdf_path


class Command(BaseCommand):
    help = "Build the user manual (docs/manual/) into one PDF."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None, help=f"default: {pdf_path()}")

    def handle(self, *args, out, **options):
        self.stdout.write(str(build_pdf(out)))
