"""The notice list, the record of every sweep, and the destruction register (SPEC §7, domain-rules §8).

`DestructionNotice` says when a family was first listed as coming due, so the
sweep destroys only what the DPO could see for the whole notice period.
`SweepRun` records every run in the database (a missed run shows even when the
broker is down). `DestructionRecord` is what stays after a family is destroyed:
no names, dates of birth or addresses — only a keyed hash of the reference.
"""

import uuid

from django.conf import settings
from django.db import models


class DestructionNotice(models.Model):
    """A family listed on the notice list as falling due on `due_on`, first listed on `first_listed_on`.

    A new due date (a case reopened and closed again, a policy change) needs a
    new listing: the notice period runs from when the DPO could see *this* date.
    Destroyed with the family.
    """

    family = models.ForeignKey("cases.Family", on_delete=models.CASCADE, related_name="destruction_notices")
    due_on = models.DateField()
    first_listed_on = models.DateField()
    policy = models.ForeignKey("retention.RetentionPolicy", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(
        "retention.SweepRun", on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )

    class Meta:
        ordering = ["due_on", "family"]
        constraints = [
            models.UniqueConstraint(fields=["family", "due_on"], name="one_notice_per_family_due_date"),
        ]

    def __str__(self):
        return f"{self.family} due {self.due_on:%d %B %Y}, listed {self.first_listed_on:%d %B %Y}"


class SweepRun(models.Model):
    """One run of the retention sweep (or of the restore replay): when, how it ended, what it did."""

    class Kind(models.TextChoices):
        SWEEP = "sweep", "Nightly sweep"
        REPLAY = "replay", "Replay of the register after a restore"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        SUSPENDED = "suspended", "Skipped: destruction suspended (stop switch)"
        ABORTED = "aborted", "Aborted: more families due than the safety limit"
        FAILED = "failed", "Failed: some families could not be destroyed"
        LOCKED = "locked", "Skipped: another sweep was running"
        INTERRUPTED = "interrupted", "Interrupted (the process stopped); the next run finished the job"

    # The outcomes after which the sweep did its job: healthz warns when the last is > 48 hours old.
    SUCCESSFUL = (Outcome.COMPLETED, Outcome.SUSPENDED)

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SWEEP)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    # Who ran it by hand; empty for the nightly beat task.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="At most this many families per run."
    )
    families_listed = models.PositiveIntegerField(default=0, help_text="Newly listed on the notice list.")
    families_due = models.PositiveIntegerField(default=0, help_text="Due, listed long enough, and not held.")
    families_blocked = models.PositiveIntegerField(
        default=0, help_text="Due but held or not yet listed long enough."
    )
    families_destroyed = models.PositiveIntegerField(default=0)
    families_skipped = models.PositiveIntegerField(
        default=0,
        help_text="No longer eligible when re-checked inside their transaction (e.g. a hold placed mid-run).",
    )
    families_failed = models.PositiveIntegerField(default=0)
    # Why it was aborted, suspended or failed; never personal data.
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        get_latest_by = "started_at"

    def __str__(self):
        what = "Dry run" if self.dry_run else self.get_kind_display()
        return f"{what} {self.pk} started {self.started_at:%d %B %Y %H:%M}: {self.get_outcome_display()}"


class DestructionRecord(models.Model):
    """One destroyed family: the register entry that stays (domain-rules §8 fields, no personal data).

    `reference_hash` is a keyed hash (HMAC-SHA256) of the family reference under
    a key derived from FIELD_ENCRYPTION_KEY (`retention.register`), so "was
    family X destroyed?" can be answered and a restored backup can be cleaned,
    while the register alone says nothing about who the family was.
    """

    METHOD = (
        "Deleted from the live database (rows, change history, object permissions, access log) "
        "and file storage"
    )
    SYSTEMS = "FSS database and FSS file storage"

    surrogate_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run = models.ForeignKey(SweepRun, on_delete=models.PROTECT, related_name="destructions")
    destroyed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    record_kind = models.CharField(max_length=30)
    policy = models.ForeignKey("retention.RetentionPolicy", on_delete=models.PROTECT, related_name="+")
    policy_version = models.PositiveIntegerField()
    trigger = models.CharField(max_length=30, help_text="The trigger event of the policy.")
    trigger_date = models.DateField(help_text="When involvement with the family ended.")
    due_on = models.DateField("eligible for destruction on")
    listed_on = models.DateField("first listed on the notice list", null=True, blank=True)
    hold_check = models.TextField(
        help_text="What was checked inside the destroying transaction, and the result."
    )
    authorised_by = models.CharField(
        max_length=200, help_text="The policy (and the person who ran it by hand)."
    )
    method = models.CharField(max_length=200, default=METHOD)
    systems_covered = models.CharField(max_length=200, default=SYSTEMS)
    row_counts = models.JSONField(default=dict, help_text="Rows deleted per model, history tables included.")
    people_destroyed = models.PositiveIntegerField(default=0)
    people_kept = models.PositiveIntegerField(
        default=0, help_text="Members kept because another family still holds them."
    )
    files_deleted = models.PositiveIntegerField(default=0)
    backup_expires_on = models.DateField(help_text="Backups taken before destruction age out by this date.")
    reference_hash = models.CharField(max_length=64, db_index=True)
    hash_key_id = models.CharField(max_length=16, help_text="Which key made the hash (not the key).")
    replay_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replays",
        help_text="For a family that came back with a restored backup: the original entry.",
    )

    class Meta:
        ordering = ["-destroyed_at", "-pk"]
        verbose_name = "destruction register entry"
        verbose_name_plural = "destruction register"

    def __str__(self):
        return f"Destruction {self.surrogate_id} on {self.destroyed_at:%d %B %Y}"

    @property
    def rows_deleted(self) -> int:
        return sum(self.row_counts.values())
