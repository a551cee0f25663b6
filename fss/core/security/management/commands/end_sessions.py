from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fss.core.security.sessions import end_sessions


class Command(BaseCommand):
    help = "Sign a user out everywhere now (docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username}.")
        count = end_sessions(user=user)
        self.stdout.write(f"Ended {count} session(s) for {username}.")
