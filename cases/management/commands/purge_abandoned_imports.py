"""manage.py purge_abandoned_imports [--dry-run]: the scheduled purge of unsaved imports, by hand."""

from django.core.management.base import BaseCommand

from cases.imports import ABANDONED_AFTER, purge_abandoned_imports
from fss.core.services import job_heartbeat


class Command(BaseCommand):
    help = (
        f"Cancel imports of external data left unsaved for longer than {ABANDONED_AFTER.days} days, "
        "deleting their uploaded files and row previews (SPEC §4.5)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing; list what would be purged"
        )

    def handle(self, *args, dry_run: bool, **options):
        if dry_run:
            due = purge_abandoned_imports(dry_run=True)
        else:
            with job_heartbeat("purge_abandoned_imports") as beat:
                due = purge_abandoned_imports()
                beat.summary = f"purged {len(due)} abandoned imports"
        verb = "would purge" if dry_run else "purged"
        for pk in due:
            self.stdout.write(f"{verb} import {pk}")  # ids only: no names in the output (SPEC §9)
        what = "would be purged" if dry_run else "purged"
        self.stdout.write(f"{len(due)} abandoned import{'s' if len(due) != 1 else ''} {what}.")
