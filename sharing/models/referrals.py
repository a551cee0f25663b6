"""Outbound referrals to partners and their answers (SPEC §6.2).

A referral sends information, so it rests on a recorded disclosure decision
(`decision_id`). Its progress is a list of events, never an overwritten status:
sent → acknowledged → accepted or declined (with the reason) → completed.
Personal data: destroyed with the family (CASCADE).
"""

from django.conf import settings
from django.db import models

from sharing.models.disclosures import AppendOnly
from sharing.models.partners import Organisation


class PartnerReferral(models.Model):
    """A referral of a family (or some of its members) to a partner's service."""

    family = models.ForeignKey("cases.Family", on_delete=models.CASCADE, related_name="partner_referrals")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals")
    # The disclosure decision that sent the information with the referral.
    decision_id = models.UUIDField(db_index=True)
    service_requested = models.CharField(max_length=200)
    reason = models.TextField()
    sent_on = models.DateField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = "referral to a partner"

    def __str__(self):
        return f"Referral to {self.organisation} sent {self.sent_on:%d %B %Y}"


class PartnerReferralEvent(AppendOnly):
    """One step in a referral's progress."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"

    referral = models.ForeignKey(PartnerReferral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=15, choices=Status.choices)
    on = models.DateField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["referral", "on", "pk"]
        verbose_name = "referral event"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(reason=""),
                name="declined_referral_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} on {self.on:%d %B %Y}"
