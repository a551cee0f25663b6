"""manage.py retention_sweep [--dry-run]: the nightly sweep by hand (SPEC §7, §12)."""

from django.core.management.base import BaseCommand, CommandError

from retention.services import SweepAbortedError, SweepIncompleteError, run_sweep


class Command(BaseCommand):
    help = (
        "Destroy every family due for destruction, listed for the notice period and not held; "
        "print what was destroyed (or, with --dry-run, what would be) and a summary."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing; say what would be destroyed"
        )
        parser.add_argument("--limit", type=int, default=None, help="destroy at most this many families")
        parser.add_argument(
            "--max-families",
            type=int,
            default=None,
            help="abort if more families than this are due (default: RETENTION_MAX_FAMILIES_PER_RUN)",
        )

    def handle(self, *args, dry_run: bool, limit: int | None, max_families: int | None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        try:
            run = run_sweep(dry_run=dry_run, limit=limit, maximum=max_families, report=self.stdout.write)
        except (SweepAbortedError, SweepIncompleteError) as exc:
            self._summary(exc.run)
            raise CommandError(exc.run.detail) from None
        self._summary(run)

    def _summary(self, run) -> None:
        what = "Dry run" if run.dry_run else "Sweep"
        self.stdout.write("")
        self.stdout.write(f"{what} {run.pk}: {run.get_outcome_display()}")
        if run.dry_run:
            self.stdout.write(
                f"  would list {run.families_listed} newly due, would destroy {run.families_due}; "
                f"{run.families_blocked} due but held or in their notice period"
            )
        else:
            self.stdout.write(
                f"  {run.families_listed} newly listed, {run.families_due} due and eligible, "
                f"{run.families_blocked} due but held or in their notice period"
            )
            self.stdout.write(
                f"  destroyed {run.families_destroyed}, skipped on re-check {run.families_skipped}, "
                f"failed {run.families_failed}"
            )
        if run.detail:
            self.stdout.write(f"  {run.detail}")
