"""Issue an API token to a user and print it once (only its digest is stored)."""
from django.core.management.base import BaseCommand, CommandError

from carecoord.accounts.models import User
from carecoord.accounts.services import api_token_issue
from carecoord.errors import RuleViolation


class Command(BaseCommand):
    help = "Issue an API token to USERNAME named NAME and print it. It cannot be shown again."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. 'claims integration'.")

    def handle(self, *args, username, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        try:
            token, raw = api_token_issue(user=user, name=name)
        except RuleViolation as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(f"Token {token.name!r} for {user.username} (prefix {token.prefix}). Copy it now; it is not shown again:")
        self.stdout.write(raw)
