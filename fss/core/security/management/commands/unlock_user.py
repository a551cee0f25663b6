from django.core.management.base import BaseCommand

from fss.core.security.lockout import unlock


class Command(BaseCommand):
    help = "Let a user locked out by failed sign-ins try again now, from every address (docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        cleared = unlock(username=username)
        self.stdout.write(f"Cleared {cleared} failed sign-in record(s) for {username}.")
