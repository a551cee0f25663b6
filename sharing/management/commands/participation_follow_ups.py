"""manage.py participation_follow_ups [--dry-run] [--on DATE]: the daily follow-up tasks for young people's
participation, by hand (SPEC §10; domain-rules §7)."""

from datetime import date

from django.core.management.base import BaseCommand

from fss.core.services import job_heartbeat
from sharing.returns import services


class Command(BaseCommand):
    help = (
        "Make a follow-up task for each young person in the tracked cohort whose activity must be confirmed "
        "again soon (before it lapses to 'not known', 810) or was never confirmed; once each."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="change nothing; count what would be made")
        parser.add_argument(
            "--on", type=date.fromisoformat, help="the day to run for (YYYY-MM-DD); default today"
        )

    def handle(self, *args, dry_run: bool, on: date | None = None, **options):
        self.stdout.write("Checking the tracked cohort's activity records...")
        if dry_run:
            tasks = services.follow_up_tasks_due(on=on)
        else:
            with job_heartbeat("participation_follow_ups") as beat:
                tasks = services.create_follow_up_tasks(on=on, return_tasks=True)
                beat.summary = f"made {len(tasks)} follow-up tasks"
        verb = "would make" if dry_run else "made"
        for task in tasks:
            # Record numbers only: no names in the output (SPEC §9).
            self.stdout.write(
                f"{verb} a follow-up task for person {task.person_id}, due {task.due_on:%d %B %Y}"
            )
        what = "would be made" if dry_run else "made"
        self.stdout.write(f"{len(tasks)} follow-up task{'s' if len(tasks) != 1 else ''} {what}.")
