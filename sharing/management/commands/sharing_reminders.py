"""manage.py sharing_reminders [--dry-run] [--on DATE]: the daily sharing reminders, by hand (SPEC §10)."""

from datetime import date

from django.core.management.base import BaseCommand

from fss.core.services import job_heartbeat
from sharing.reminders import make_reminders


class Command(BaseCommand):
    help = (
        "Make a reminder for each data sharing agreement due for review or ending soon (for the DPO's team) "
        "and each referral a partner has not answered in time (for the worker who sent it), once per date; "
        "close reminders no longer due."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="change nothing; list what would be made")
        parser.add_argument(
            "--on", type=date.fromisoformat, help="the day to run for (YYYY-MM-DD); default today"
        )

    def handle(self, *args, dry_run: bool, on: date | None = None, **options):
        self.stdout.write("Checking agreements' review and end dates, and referrals awaiting an answer...")
        if dry_run:
            run = make_reminders(on=on, dry_run=True)
        else:
            with job_heartbeat("sharing_reminders") as beat:
                run = make_reminders(on=on)
                beat.summary = f"made {len(run.made)} reminders, closed {run.closed}"
        verb = "would remind" if dry_run else "reminded"
        for due in run.made:
            # References only: no names of people in the output (SPEC §9).
            who = f"worker {due.assigned_to_id}" if due.assigned_to_id else "the DPO's team"
            self.stdout.write(f"{verb} {who}: {due.message}")
        made = "would be made" if dry_run else "made"
        closed = "would be closed" if dry_run else "closed"
        self.stdout.write(
            f"{len(run.made)} reminder{'s' if len(run.made) != 1 else ''} {made}; {run.closed} no longer due "
            f"{closed}."
        )
