"""Deadline reminders for the DPO's registers (SPEC §8.1 "reminders before the deadline").

The daily job (`sar.tasks.deadline_reminders`, `manage.py sar_reminders`) makes
one reminder per request, threshold and due date: running it twice, or every
day of the window, adds nothing. A new due date (an extension, a pause, identity
evidence arriving) is a new deadline and may be reminded again.

A reminder names the request only by its random reference and the register it
is in: no requester's or subject's name, so it holds no personal data.
"""

from django.conf import settings
from django.db import models


class DeadlineReminder(models.Model):
    class Register(models.TextChoices):
        SAR = "sar", "Subject access request"
        RIGHTS = "rights", "Rights request"
        FOI = "foi", "FOI request"
        COMPLAINT = "complaint", "Data-protection complaint"

    class Threshold(models.TextChoices):
        # Within the first month: the last chance to extend a complex request (domain-rules §2).
        EXTENSION_WINDOW = "extension_window", "Decide whether to extend: the first month is ending"
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"

    register = models.CharField(max_length=10, choices=Register.choices)
    object_id = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=20)
    threshold = models.CharField(max_length=20, choices=Threshold.choices)
    due_on = models.DateField(help_text="The deadline the reminder is about.")
    message = models.CharField(max_length=300)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The officer handling the request; blank for the DPO's team.",
    )
    created_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Closed by the daily job once the request is answered (or no longer at this deadline).
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "deadline reminder"
        constraints = [
            models.UniqueConstraint(
                fields=["register", "object_id", "threshold", "due_on"], name="one_reminder_per_deadline"
            ),
        ]
        indexes = [models.Index(fields=["closed_on", "assigned_to"], name="sar_reminder_open")]

    def __str__(self):
        return self.message

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
