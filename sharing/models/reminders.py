"""Reminders the sharing app raises on its own (SPEC §6.1, §6.2): agreements coming up for review or
ending, and referrals a partner has not answered in its configured number of days.

The daily job (`sharing.tasks.sharing_reminders`, `manage.py sharing_reminders`) makes one reminder per
agreement (or referral), kind and date: running it twice, or every day of the window, adds nothing. A
new date (the agreement's review date moved, the referral moved on a step) is a new reminder. Reminders
no longer due are closed by the same job.

An agreement reminder names only the agreement's reference and title, and goes to the DPO's team (no
assignee). A referral reminder names the family's reference and the partner, and goes to the worker who
sent the referral; it is destroyed with the family (CASCADE through the referral).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from sharing.models.partners import DataSharingAgreement
from sharing.models.referrals import PartnerReferral


class SharingReminder(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT_REVIEW = "agreement_review", "Agreement due for review"
        AGREEMENT_END = "agreement_end", "Agreement ending"
        REFERRAL_NO_RESPONSE = "referral_no_response", "Referral not answered"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    agreement = models.ForeignKey(
        DataSharingAgreement, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    referral = models.ForeignKey(
        PartnerReferral, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    due_on = models.DateField(help_text="The date the reminder is about (review, end, or answer due).")
    message = models.CharField(max_length=300)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank for the DPO's team.",
    )
    created_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "sharing reminder"
        constraints = [
            models.CheckConstraint(
                condition=(Q(agreement__isnull=False) & Q(referral__isnull=True))
                | (Q(agreement__isnull=True) & Q(referral__isnull=False)),
                name="sharing_reminder_is_about_one_thing",
            ),
            models.UniqueConstraint(
                fields=["kind", "agreement", "due_on"],
                condition=Q(agreement__isnull=False),
                name="one_agreement_reminder_per_date",
            ),
            models.UniqueConstraint(
                fields=["kind", "referral", "due_on"],
                condition=Q(referral__isnull=False),
                name="one_referral_reminder_per_date",
            ),
        ]
        indexes = [models.Index(fields=["closed_on", "assigned_to"], name="sharing_reminder_open")]

    def __str__(self):
        return self.message

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
