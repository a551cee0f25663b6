"""manage.py purge_expired_return_files [--dry-run] [--on DATE]: the daily destruction of expired return
files, by hand (SPEC §6.3, §10; domain-rules §8)."""

from datetime import date

from django.core.management.base import BaseCommand

from fss.core.services import job_heartbeat
from sharing.returns import services
from sharing.returns.models import ReturnRun


class Command(BaseCommand):
    help = (
        "Delete the council's copies of return files past their expiry (the return_file retention policy; "
        "ONS files once ONS confirms destruction). Each run keeps its checksum, counts and the date its "
        "file was destroyed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="change nothing; list what would go")
        parser.add_argument(
            "--on", type=date.fromisoformat, help="the day to run for (YYYY-MM-DD); default today"
        )

    def handle(self, *args, dry_run: bool, on: date | None = None, **options):
        self.stdout.write("Looking for return files past their expiry...")
        if dry_run:
            done = services.purge_expired_return_files(on=on, dry_run=True)
        else:
            with job_heartbeat("purge_expired_return_files") as beat:
                done = services.purge_expired_return_files(on=on)
                beat.summary = f"destroyed {len(done)} return files"
        runs = {run.pk: run for run in ReturnRun.objects.filter(pk__in=done)}
        verb = "would destroy" if dry_run else "destroyed"
        for pk in done:
            run = runs[pk]
            self.stdout.write(
                f"{verb} the file of run {pk} ({run.get_kind_display()}, {run.period_label}; "
                f"expired {run.file_expires_on:%d %B %Y})"
            )
        what = "would be destroyed" if dry_run else "destroyed"
        self.stdout.write(f"{len(done)} return file{'s' if len(done) != 1 else ''} {what}.")
