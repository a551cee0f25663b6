from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fss.core.security.mfa import reset_mfa


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and recovery codes and sign them out; they set up a new "
        "one at their next sign-in. For when no administrator can sign in to do it (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username}.")
        reset_mfa(user=user)
        self.stdout.write(f"Two-factor authentication reset for {username}; their sessions have ended.")
