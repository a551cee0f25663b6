"""seed_demo: demo staff for every role in two teams, and synthetic families (SPEC §12).

Idempotent: running it again refreshes the demo accounts and adds only the
families that are missing. Never real data: every person comes from Faker.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.demo import OUTCOME_COHORT_SIZE, DemoTeam, seed_families, seed_outcome_cohort, seed_waiting_work
from fss.core.demo import DEMO_ACCOUNTS, seed_staff
from fss.core.models import User
from sar import reminders as request_reminders
from sar.demo import seed_registers
from sharing import reminders as sharing_reminders
from sharing.demo import seed_safeguarding_shares, seed_sharing
from sharing.returns.demo import seed_returns


class Command(BaseCommand):
    help = "Load demo staff (one per role, two teams) and N synthetic families. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=21, help="number of demo families (default 21)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even with DEBUG off (a demo or training deployment, never a live one)",
        )

    def handle(self, *args, families: int, force: bool, **options):
        if families < 0:
            raise CommandError("--families must be zero or more.")
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a live system: demo accounts and families "
                "are not loaded. Use --force only on a demo or training deployment."
            )
        password = settings.DEMO_PASSWORD
        teams = seed_staff(password=password)
        workers = {
            name: list(
                User.objects.filter(
                    username__in=[a.username for a in DEMO_ACCOUNTS if a.team == name and not a.is_manager]
                ).order_by("username")
            )
            for name in teams
        }
        managers = {
            name: User.objects.filter(
                username__in=[a.username for a in DEMO_ACCOUNTS if a.team == name and a.is_manager]
            ).first()
            for name in teams
        }
        demo_teams = [
            DemoTeam(team=team, workers=workers[name], manager=managers[name]) for name, team in teams.items()
        ]
        today = timezone.localdate()
        created, present = seed_families(count=families, teams=demo_teams, today=today)
        self.stdout.write(f"Demo families: {created} created, {present} already present.")
        # Closed families with outcomes for the statistics: as many as asked for, up to 12.
        made, kept = seed_outcome_cohort(
            size=min(families, OUTCOME_COHORT_SIZE), teams=demo_teams, today=today
        )
        self.stdout.write(
            f"Demo closed families with programme outcomes: {made} created, {kept} already present."
        )
        made, kept = seed_sharing(today=today)
        self.stdout.write(f"Demo partners and agreements: {made} created, {kept} already present.")
        made, kept = seed_safeguarding_shares(today=today)
        self.stdout.write(
            f"Demo safeguarding shares waiting for review: {made} created, {kept} already present."
        )
        made, kept = seed_waiting_work(teams=demo_teams, today=today)
        self.stdout.write(
            "Demo closure for approval, import, consent review, break-glass access and legal hold: "
            f"{made} created, {kept} already present."
        )
        made, kept = seed_registers(today=today)
        self.stdout.write(
            f"Demo requests and complaints for the DPO: {made} created, {kept} already present."
        )
        made, kept = seed_returns(today=timezone.localdate())
        self.stdout.write(
            f"Demo participation records and research projects: {made} created, {kept} already present."
        )
        # The reminders the daily jobs would make (beat does not run in the demo); once each.
        for name, job in (("request deadline", request_reminders), ("sharing", sharing_reminders)):
            run = job.make_reminders(on=today)
            self.stdout.write(f"Demo {name} reminders: {len(run.made)} made.")
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (every password: {password})")
        width = max(len(a.username) for a in DEMO_ACCOUNTS)
        for account in DEMO_ACCOUNTS:
            team = f"  {account.team}" if account.team else ""
            self.stdout.write(f"  {account.username.ljust(width)}  {account.role}{team}")
