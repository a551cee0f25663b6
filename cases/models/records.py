"""Documents and paper records held about a family (SPEC §4.1).

Paper counts for retention just like electronic data (SPEC §7): each paper
location is listed so that destroying a family becomes a task for the records
officer.
"""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.people import Family, Person
from cases.models.work import Case

DOCUMENT_EXTENSIONS = ["pdf", "doc", "docx", "odt", "rtf", "txt", "jpg", "jpeg", "png", "xlsx", "csv"]


def document_upload_to(instance, filename: str) -> str:
    """A random file name: the uploaded name may identify someone, and it never reaches the URL."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"documents/{secrets.token_hex(16)}{suffix}"


def validate_document_size(file) -> None:
    limit = settings.DOCUMENT_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            f"The file must be smaller than {limit // (1024 * 1024)} MB", code="document_too_large"
        )


class Document(models.Model):
    """An uploaded file about a family, optionally about one person or one case."""

    class Kind(models.TextChoices):
        CONSENT_FORM = "consent_form", "Signed consent form"
        ASSESSMENT = "assessment", "Assessment"
        PLAN = "plan", "Plan"
        LETTER = "letter", "Letter or email"
        REPORT = "report", "Report from another service"
        PHOTO = "photo", "Photograph"
        OTHER = "other", "Other"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="documents")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(
        upload_to=document_upload_to,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS), validate_document_size],
    )
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    is_sensitive = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title


class PaperRecord(models.Model):
    """Where physical files about the family are kept (location, box or barcode)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="paper_records")
    location = models.CharField(max_length=200, help_text="Building and room or store.")
    box_or_barcode = models.CharField("Box number or barcode", max_length=100, blank=True)
    description = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family", "location"]

    def __str__(self):
        return f"{self.location} {self.box_or_barcode}".strip()
