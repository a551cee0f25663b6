"""What stops destruction: legal holds and the DPO's stop switch (SPEC §7, domain-rules §8).

A hold or a suspension is ended by recording who ended it, when and why, never
by deleting the row: the register of holds shows what was held and for how long.
Automatic holds (an open SAR, rights request or complaint about a person) are
not stored: `retention.selectors` works them out from the `sar` app each time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class LegalHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(released_at__isnull=True)


class LegalHold(models.Model):
    """The DPO's instruction that a family's or a person's records must not be destroyed.

    Held records never enter the destruction queue (domain-rules §8). A person's
    hold holds every family that person belongs to.
    """

    class Reason(models.TextChoices):
        INQUIRY = "inquiry", "Inquiry"
        LITIGATION = "litigation", "Litigation"
        SAR = "sar", "Subject access request"
        FOI = "foi", "Freedom of Information request"
        COMPLAINT = "complaint", "Complaint"
        POLICE_REQUEST = "police_request", "Police request"

    family = models.ForeignKey(
        "cases.Family", on_delete=models.CASCADE, null=True, blank=True, related_name="legal_holds"
    )
    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="legal_holds"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(
        blank=True, help_text="The inquiry, claim or request the hold is for, e.g. its reference."
    )
    review_on = models.DateField(
        "review date", help_text="When the DPO checks whether the hold is still needed."
    )
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_note = models.TextField(blank=True)

    objects = LegalHoldQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(family__isnull=False, person__isnull=True)
                | Q(family__isnull=True, person__isnull=False),
                name="legal_hold_on_a_family_or_a_person",
                violation_error_message="Hold either a family or a person.",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_by__isnull=True)
                | Q(released_at__isnull=False, released_by__isnull=False),
                name="legal_hold_release_says_who",
            ),
        ]
        indexes = [models.Index(fields=["released_at"], name="legal_hold_active")]

    def __str__(self):
        held = f"family {self.family}" if self.family_id else f"person {self.person_id}"
        return f"{self.get_reason_display()} hold on {held}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None

    def review_overdue_on(self, today) -> bool:
        return self.is_active and self.review_on < today


class DestructionSuspensionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)


class DestructionSuspension(models.Model):
    """The stop switch: while one is in force the sweep destroys nothing (e.g. an inquiry's moratorium).

    Holds no personal data about families: the reason says why destruction stopped.
    """

    reason = models.TextField(help_text="Why all destruction is suspended, e.g. the inquiry's moratorium.")
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    suspended_at = models.DateTimeField(default=timezone.now, editable=False)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_note = models.TextField(blank=True)

    objects = DestructionSuspensionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-suspended_at"]
        verbose_name = "suspension of destruction (stop switch)"
        verbose_name_plural = "suspensions of destruction (stop switch)"
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="suspension_lift_says_who",
            ),
        ]

    def __str__(self):
        state = "in force" if self.lifted_at is None else f"lifted {self.lifted_at:%d %B %Y}"
        return f"Destruction suspended {self.suspended_at:%d %B %Y} ({state})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None
