"""manage.py api_token USERNAME [--days N] [--name NAME]: a personal API token for the user,
printed once (only its digest is kept)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zizhu.accounts.models import User
from zizhu.api.services import DEFAULT_DAYS, api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="days until it expires")
        parser.add_argument("--name", default="manage.py api_token", help="a name to recognise it")

    def handle(self, *args, username, days, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        try:
            created = api_token_create(user=user, name=name, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(
            f"token {created.token.pk} for {username}, expires {created.token.expires_at:%Y-%m-%d}"
        )
        self.stdout.write(created.value)
