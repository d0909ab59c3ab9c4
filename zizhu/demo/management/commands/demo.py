from django.core.management.base import BaseCommand, CommandError

from zizhu.demo.province import demo_load, format_account


class Command(BaseCommand):
    help = "Load the demo province into an empty database and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, seed=1, **options):
        try:
            accounts = demo_load(seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for account in accounts:
            self.stdout.write(format_account(account))
