"""Retention policies: how long each kind of record is kept (SPEC §7, domain-rules §8).

Policies are data with versions: a change is a new row with its own effective
date, so the register can say which version a destruction applied. The public
privacy notice renders its retention sentence from the family policy, so the
notice and the software cannot disagree.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class RetentionPolicy(models.Model):
    class RecordKind(models.TextChoices):
        FAMILY_CASE_FILE = "family_case_file", "Family case file"
        SAR_CASE_FILE = "sar_case_file", "Subject access request case file"
        FOI_FILE = "foi_file", "Freedom of Information request file"
        ACCESS_LOG = "access_log", "Access log"
        SAR_PACKAGE = "sar_package", "Subject access download package"
        ONS_TRANSFER_FILE = "ons_transfer_file", "ONS research transfer file"
        RETURN_FILE = "return_file", "Statutory or research return file (the council's copy, not ONS)"

    class Trigger(models.TextChoices):
        LATEST_CASE_CLOSURE = "latest_case_closure", "after our involvement with the family ended"
        REQUEST_CLOSED = "request_closed", "after the request was closed"
        RESPONSE_SENT = "response_sent", "after the response was sent"
        RECORD_CREATED = "record_created", "after the record was made"
        DESTRUCTION_CONFIRMED = "destruction_confirmed", "until the recipient confirms destruction"

    record_kind = models.CharField(max_length=30, choices=RecordKind.choices)
    version = models.PositiveIntegerField()
    effective_from = models.DateField()
    trigger = models.CharField(max_length=30, choices=Trigger.choices)
    period_years = models.PositiveSmallIntegerField(default=0)
    period_months = models.PositiveSmallIntegerField(default=0)
    period_days = models.PositiveSmallIntegerField(default=0)
    # Records due within this many days are listed for the DPO before the sweep
    # may destroy them (the notice period, SPEC §7).
    notice_days = models.PositiveSmallIntegerField(default=30)
    reason_for_change = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "retention policies"
        ordering = ["record_kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["record_kind", "version"], name="one_policy_version_per_kind"),
        ]

    def __str__(self):
        kept = f"{self.period_text} {self.get_trigger_display()}".strip()
        return f"{self.get_record_kind_display()} v{self.version}: {kept}"

    def clean(self):
        has_period = self.period_years or self.period_months or self.period_days
        if self.trigger == self.Trigger.DESTRUCTION_CONFIRMED:
            if has_period:
                raise ValidationError("A policy kept until destruction is confirmed has no fixed period.")
        elif not has_period:
            raise ValidationError("Give a retention period in years, months or days.")

    @property
    def period(self) -> relativedelta:
        return relativedelta(years=self.period_years, months=self.period_months, days=self.period_days)

    @property
    def period_text(self) -> str:
        """The period in words, e.g. "7 years" or "2 years and 6 months"."""
        parts = []
        for amount, unit in (
            (self.period_years, "year"),
            (self.period_months, "month"),
            (self.period_days, "day"),
        ):
            if amount:
                parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
        if not parts:
            return ""
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    def due_date(self, trigger_date: date) -> date | None:
        """The date the record falls due for destruction.

        Calendar arithmetic, never a count of days: 7 years after 29 February 2024
        is 28 February 2031 (relativedelta clamps to the month's last day).
        """
        if self.trigger == self.Trigger.DESTRUCTION_CONFIRMED:
            return None
        return trigger_date + self.period
