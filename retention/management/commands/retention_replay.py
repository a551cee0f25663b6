"""manage.py retention_replay: re-apply the destruction register after a restore (domain-rules §8)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from retention.services import SweepAbortedError, SweepIncompleteError, replay_register


class Command(BaseCommand):
    help = (
        "Destroy again every family in the database whose reference is in the destruction register, "
        "so a restored backup does not bring destroyed families back. Run it after every restore, "
        "before anyone uses the system."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing; list what would be destroyed"
        )
        parser.add_argument(
            "--register",
            type=Path,
            default=None,
            help="a register export (retention_register_export) taken after the backup: its entries are "
            "added to the restored register first",
        )

    def handle(self, *args, dry_run: bool, register: Path | None, **options):
        entries = None
        if register is not None:
            try:
                entries = json.loads(register.read_text())["entries"]
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(
                    f"Cannot read the register export {register}: {type(exc).__name__}"
                ) from None
        try:
            run = replay_register(dry_run=dry_run, entries=entries, report=self.stdout.write)
        except (SweepAbortedError, SweepIncompleteError) as exc:
            raise CommandError(exc.run.detail) from None
        verb = "would destroy" if dry_run else "destroyed"
        self.stdout.write(
            f"Replay {run.pk}: {run.families_due} families in the register found; {verb} "
            f"{run.families_due if dry_run else run.families_destroyed}."
        )
