"""Periodic access reviews (SPEC §9): who holds which role, who has left, what was decided.

A review is written once and never changed: the next review is a new record, so
the list of reviews is the history. Each reviewed account gets one decision row
with what the reviewer saw (roles, teams, last sign-in) at the time.
"""

from django.conf import settings
from django.db import models


class AccessReview(models.Model):
    """One review of every active staff account, by the DPO or a system administrator."""

    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    inactive_after_days = models.PositiveSmallIntegerField(
        help_text="Accounts with no sign-in for this many days were flagged as possible leavers."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self):
        return f"Access review of {self.reviewed_at:%d %B %Y}"


class AccessReviewDecision(models.Model):
    """What a review decided for one account, with what the reviewer saw then."""

    class Decision(models.TextChoices):
        KEEP = "keep", "Kept"
        DEACTIVATE = "deactivate", "Deactivated"

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    roles = models.CharField(max_length=300, blank=True)
    teams = models.CharField(max_length=300, blank=True)
    last_login = models.DateTimeField(null=True, blank=True)
    flagged = models.BooleanField(default=False, help_text="No sign-in within the review's number of days.")

    class Meta:
        ordering = ["review", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="one_decision_per_account_per_review"),
        ]

    def __str__(self):
        return f"{self.get_decision_display()}: {self.user}"
