"""The disclosure-control policy every published figure obeys (SPEC §6.4; domain-rules §9).

A policy, editable and versioned (domain-rules §9 says "a policy, editable"):
the thresholds are data, never constants in code, and every return or page
that publishes figures says which version it applied. The model also carries
the permission `sharing.view_statistics`, the only one the performance
analyst holds (SPEC §1: group-level statistics only).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class DisclosureControlPolicyQuerySet(models.QuerySet):
    def in_force(self, on: date | None = None) -> "DisclosureControlPolicy | None":
        """The version in force on `on` (today by default): the latest to take effect."""
        on = on or timezone.localdate()
        return self.filter(effective_from__lte=on).order_by("-effective_from", "-version").first()


class DisclosureControlPolicy(models.Model):
    """Suppression and rounding of counts and percentages (domain-rules §9)."""

    version = models.PositiveIntegerField(unique=True)
    effective_from = models.DateField()
    suppress_from = models.PositiveSmallIntegerField(
        default=1, help_text="The smallest count shown as c (zero is always shown as 0)."
    )
    suppress_to = models.PositiveSmallIntegerField(default=9, help_text="The largest count shown as c.")
    round_to = models.PositiveSmallIntegerField(
        default=5, help_text="Other counts are rounded to the nearest multiple of this."
    )
    min_denominator = models.PositiveSmallIntegerField(
        default=10, help_text="No percentage is shown when the number it is out of is below this."
    )
    secondary_suppression = models.BooleanField(
        default=True,
        help_text="Suppress further cells so that a suppressed one cannot be worked out from the totals.",
    )
    reason_for_change = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DisclosureControlPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = "disclosure control policy"
        verbose_name_plural = "disclosure control policies"
        permissions = [("view_statistics", "Can see group-level statistics (never an identifiable record)")]
        constraints = [
            models.CheckConstraint(condition=Q(suppress_from__gte=1), name="zero_is_never_suppressed"),
            models.CheckConstraint(
                condition=Q(suppress_to__gte=F("suppress_from")), name="suppression_range_in_order"
            ),
            models.CheckConstraint(condition=Q(round_to__gte=1), name="rounding_base_at_least_one"),
        ]

    def __str__(self):
        return (
            f"Disclosure control v{self.version}: {self.suppress_from}–{self.suppress_to} shown as c, "
            f"rounded to {self.round_to}"
        )

    def clean(self):
        if self.suppress_from is not None and self.suppress_to is not None:
            if self.suppress_from < 1:
                raise ValidationError({"suppress_from": "Zero is always shown as 0: start at 1 or more."})
            if self.suppress_to < self.suppress_from:
                raise ValidationError(
                    {"suppress_to": "The largest suppressed count cannot be below the smallest."}
                )
        if self.round_to is not None and self.round_to < 1:
            raise ValidationError({"round_to": "Round to 1 (no rounding) or more."})
