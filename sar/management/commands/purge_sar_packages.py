"""manage.py purge_sar_packages [--dry-run]: the scheduled purge of expired SAR packages, by hand."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from fss.core.services import job_heartbeat
from sar.services import purge_expired_packages


class Command(BaseCommand):
    help = (
        "Delete the PDF and ZIP files of subject access packages past their expiry (the sar_package "
        "retention policy); the package's row stays with the date it was purged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing; list what would be purged"
        )

    def handle(self, *args, dry_run: bool, **options):
        if dry_run:
            due = purge_expired_packages(dry_run=True)
        else:
            with job_heartbeat("purge_sar_packages") as beat:
                due = purge_expired_packages()
                beat.summary = f"purged {len(due)} expired packages"
        for package in due:
            expired = timezone.localtime(package.expires_at).strftime("%d %B %Y %H:%M")
            verb = "would purge" if dry_run else "purged"
            # The reference only: no names in the output (SPEC §9).
            self.stdout.write(
                f"{verb} package {package.pk} of {package.request.reference} (expired {expired})"
            )
        what = "would be purged" if dry_run else "purged"
        self.stdout.write(f"{len(due)} expired package{'s' if len(due) != 1 else ''} {what}.")
