"""Paper destruction tasks for the records officer (SPEC §7 "Paper").

When a family is destroyed, each of its paper locations becomes a task here,
linked to the register entry. A location and box number are not personal data,
so the task outlives the family; the records officer confirms shredding with a
date and a certificate number, and the register shows what is outstanding.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class PaperDestructionTask(models.Model):
    destruction = models.ForeignKey(
        "retention.DestructionRecord", on_delete=models.PROTECT, related_name="paper_tasks"
    )
    location = models.CharField(max_length=200)
    box_or_barcode = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_on = models.DateField(null=True, blank=True)
    certificate_number = models.CharField(max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["destroyed_on", "created_at"]
        permissions = [("confirm_paper_destruction", "Can confirm paper records were destroyed")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(destroyed_on__isnull=True)
                | (~models.Q(certificate_number="") & models.Q(confirmed_by__isnull=False)),
                name="paper_destruction_confirmed_with_certificate",
            ),
        ]

    def __str__(self):
        return f"Paper at {self.location} {self.box_or_barcode}".strip()

    @property
    def is_outstanding(self) -> bool:
        return self.destroyed_on is None

    def clean(self):
        if self.destroyed_on and not self.certificate_number.strip():
            raise ValidationError({"certificate_number": "Enter the destruction certificate number."})
