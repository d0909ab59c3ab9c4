"""The `zizhu` console script: the management commands under the project's own name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zizhu", *sys.argv[1:]])
