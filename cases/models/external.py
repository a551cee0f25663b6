"""External data received from other services (SPEC §4.1 "External data", §4.5 imports).

A team manager imports a CSV or XLSX file of, say, school attendance from the
education service. Each row becomes an `ExternalDataRecord` about one person in
one family, and every record remembers the `ExternalDataImport` it came from.

Offending data is criminal offence data (UK GDPR Art 10, domain-rules §4): the
values of every record are encrypted at rest, and offending values are shown
only to holders of `cases.view_offence_data`.

Retention (SPEC §7): records are destroyed with the family (and the person),
history included. The import row holds no one's data once it is finished: the
uploaded file and the row-by-row preview are deleted when the import is
committed, cancelled or fails, and abandoned drafts are purged (cases.imports).
"""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.people import Family, Person
from fss.core.fields import EncryptedTextField


def import_upload_to(instance, filename: str) -> str:
    """A random name: the sender's file name may name someone, and it never reaches a URL."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"imports/{secrets.token_hex(16)}{suffix}"


class ExternalDataKind(models.TextChoices):
    ATTENDANCE = "attendance", "School attendance"
    OFFENDING = "offending", "Offending"
    EMPLOYMENT = "employment", "Employment"
    OTHER = "other", "Other"


class ExternalDataImport(models.Model):
    """One file of external data: uploaded, previewed, then committed all at once or cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Reading the file"
        PREVIEWED = "previewed", "Ready to check"
        COMMITTING = "committing", "Saving"
        COMMITTED = "committed", "Imported"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField("Kind of data", max_length=20, choices=ExternalDataKind.choices)
    source_organisation = models.CharField(max_length=200)
    received_on = models.DateField()
    original_name = models.CharField("File name", max_length=255)
    checksum = models.CharField("SHA-256 checksum", max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The uploaded file, kept only until the import is committed, cancelled or fails.
    file = models.FileField(upload_to=import_upload_to, blank=True)
    # The row-by-row preview (JSON: names, dates of birth, matches, errors), encrypted and
    # cleared with the file.
    preview = EncryptedTextField(blank=True, default="")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    matched_rows = models.PositiveIntegerField(default=0)
    unmatched_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    # Why a worker job failed, in words with no personal data.
    failure = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The preview, the file and the progress counter change constantly and are not history.
    history = HistoricalRecords(excluded_fields=["preview", "file", "processed_rows"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "external data import"
        permissions = [("import_external_data", "Can import external data from other services")]

    def __str__(self):
        return f"Import {self.pk} ({self.get_kind_display()})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.COMMITTED, self.Status.CANCELLED, self.Status.FAILED}


class ExternalDataRecord(models.Model):
    """One value about one person from another service, for a date or a period."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="external_data")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="external_data")
    kind = models.CharField(max_length=20, choices=ExternalDataKind.choices)
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    measure = models.CharField(max_length=100, help_text="What the value measures, e.g. attendance %.")
    # Encrypted for every kind: an offending value is criminal offence data (Art 10).
    value = EncryptedTextField()
    source_organisation = models.CharField(max_length=200)
    received_on = models.DateField()
    # PROTECT: an import with records is never deleted; the records go with the family.
    import_batch = models.ForeignKey(
        ExternalDataImport, on_delete=models.PROTECT, null=True, blank=True, related_name="records"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-period_start", "kind"]
        verbose_name = "external data record"
        permissions = [("view_offence_data", "Can see criminal offence data (UK GDPR Art 10)")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="external_period_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.period_start:%d %B %Y}"

    def clean(self):
        if self.period_end and self.period_start and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The end of the period must be on or after its start."})

    @property
    def is_offence_data(self) -> bool:
        return self.kind == ExternalDataKind.OFFENDING
