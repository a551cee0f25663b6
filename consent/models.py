"""Consent: what each person agreed to, refused or withdrew, and the notice they were shown (SPEC §5).

Domain-rules §1: the notice's word "consent" covers different things, kept
apart here and in `sharing`:
- the agreement to work with the service (purpose ``service``; the service is
  voluntary) and the agreement to gather and store information (``record``);
- the family's sharing wishes per purpose (``programme``, ``inbound:*``,
  ``partner:*``);
- the lawful basis of a disclosure, which is NOT stored here: it comes from the
  data sharing agreement relied on, or a safeguarding decision (SPEC §6.2).
  A consent record is that basis only when the agreement's basis is consent.

Consent records and education opt-outs are append-only: a correction, a
withdrawal or the end of an opt-out is a new row, so the full history stays
visible (SPEC §5.2). A published privacy notice version is final; changes are
a new draft.

Retention (SPEC §7): consent records and opt-outs are personal data and are
destroyed with the family (``family`` / ``person`` cascade), with their
history rows and evidence files. Purposes and notice versions hold no data
about families and are kept.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from consent.notice import PLACEHOLDERS, unknown_placeholders


class ImmutableRecordError(Exception):
    """An attempt to change a row that the law or the notice says must not change in place."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes would bypass both the append-only rule and the change history."""

    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name} rows are never updated; add a new row.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name} rows are never updated; add a new row.")


class ConsentRecordQuerySet(AppendOnlyQuerySet):
    def uncorrected(self):
        """Records no later record corrects: the ones that still say what was decided."""
        return self.filter(~models.Exists(ConsentRecord.objects.filter(corrects=models.OuterRef("pk"))))


PURPOSE_CODE = RegexValidator(
    r"^(service|record|programme|(inbound|partner):[a-z][a-z_]*)$",
    "A purpose is service, record, programme, inbound:<service> or partner:<category>.",
)


class ConsentPurpose(models.Model):
    """What a consent record is about. A registry loaded as data (guidance changes; code does not).

    Codes are stable strings (``partner:police``) so other apps and stored
    decisions can name them; a purpose is retired rather than deleted.
    """

    class Kind(models.TextChoices):
        SERVICE = "service", "Agreement to work with the service"
        RECORD = "record", "Agreement to gather and store information"
        PROGRAMME = "programme", "National programme"
        INBOUND = "inbound", "Other services sharing into the programme"
        PARTNER = "partner", "Sharing with partners"

    code = models.CharField(max_length=50, unique=True, validators=[PURPOSE_CODE])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=200)
    # Short label for the family page's consent matrix column.
    short_label = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    retired_on = models.DateField(
        null=True, blank=True, help_text="From this date no new decision may be recorded for it."
    )

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="service", code="service")
                    | models.Q(kind="record", code="record")
                    | models.Q(kind="programme", code="programme")
                    | models.Q(kind="inbound", code__startswith="inbound:")
                    | models.Q(kind="partner", code__startswith="partner:")
                ),
                name="consent_purpose_code_matches_kind",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_family_agreement(self) -> bool:
        """Agreements to work with the service and to record are made for one family's case
        (the household); sharing wishes are the person's own, whichever family asks."""
        return is_family_agreement(self.code)

    def is_available_on(self, on) -> bool:
        return self.retired_on is None or on < self.retired_on


def is_family_agreement(code: str) -> bool:
    return code in (ConsentPurpose.Kind.SERVICE, ConsentPurpose.Kind.RECORD)


class PrivacyNoticeVersion(models.Model):
    """One version of the public privacy notice: drafted, then published with an effective date.

    The current version is the latest published one whose effective date has
    come (``consent.selectors.current_notice_version``). A published version is
    final: each consent record points to the one the family saw, so its words
    must not change afterwards.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(
        null=True,
        blank=True,
        help_text="For a draft, the planned date; fixed when the version is published.",
    )
    title = models.CharField(max_length=200, help_text="May use placeholders such as {service_name}.")
    summary = models.TextField(blank=True, help_text="The opening paragraph, above the contents list.")
    change_summary = models.TextField(
        blank=True, help_text="What changed from the previous version, and why."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Empty only for the version loaded at installation.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(effective_from__isnull=False, published_at__isnull=False),
                name="published_notice_has_effective_date",
            ),
        ]

    def __str__(self):
        return f"Privacy notice version {self.version} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        if not self._state.adding and _published_in_database(self.pk):
            raise ImmutableRecordError(
                f"Privacy notice version {self.version} is published and cannot change; draft a new version."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _published_in_database(self.pk):
            raise ImmutableRecordError(f"Privacy notice version {self.version} is published and is kept.")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def clean(self):
        errors = {}
        for name in ("title", "summary"):
            unknown = unknown_placeholders(getattr(self, name))
            if unknown:
                errors[name] = _unknown_placeholder_message(unknown)
        if errors:
            raise ValidationError(errors)


def _published_in_database(version_pk) -> bool:
    # Asks the database, not the instance: a stale instance must not reopen a published version.
    return PrivacyNoticeVersion.objects.filter(
        pk=version_pk, status=PrivacyNoticeVersion.Status.PUBLISHED
    ).exists()


def _unknown_placeholder_message(unknown: list[str]) -> str:
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    return f"Unknown placeholder {', '.join('{' + n + '}' for n in unknown)}. Use one of: {known}."


class PrivacyNoticeSection(models.Model):
    """One headed section of a notice version, in the small text format of `consent.notice`."""

    version = models.ForeignKey(PrivacyNoticeVersion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=200)
    body = models.TextField(
        help_text=(
            "Paragraphs separated by a blank line; lines starting with '- ' make a list; "
            "a paragraph that is only {address} shows the address on separate lines."
        )
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="one_notice_section_per_position"),
        ]

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        if _published_in_database(self.version_id):
            raise ImmutableRecordError("A published privacy notice cannot change; draft a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _published_in_database(self.version_id):
            raise ImmutableRecordError("A published privacy notice cannot change; draft a new version.")
        return super().delete(*args, **kwargs)

    def clean(self):
        errors = {}
        for name in ("heading", "body"):
            unknown = unknown_placeholders(getattr(self, name))
            if unknown:
                errors[name] = _unknown_placeholder_message(unknown)
        if errors:
            raise ValidationError(errors)


EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "heic", "tif", "tiff", "doc", "docx", "odt", "eml", "msg"]


def evidence_upload_to(instance, filename: str) -> str:
    """A random name: the uploaded file's own name often holds a person's name (SPEC §9)."""
    suffix = PurePath(filename).suffix.lower()
    return f"consent/evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ConsentRecord(models.Model):
    """One decision about one person and one purpose; never changed once written.

    A correction is a new record pointing at the one it corrects (`corrects`);
    a withdrawal is a new record with decision "withdrawn" that takes effect
    from its date. Write through `consent.services`, which checks who may
    decide (SPEC §5.2); read through `consent.selectors.consent_state`.
    """

    class Decision(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Capacity(models.TextChoices):
        SELF = "self", "Their own decision"
        PARENTAL_RESPONSIBILITY = "parental_responsibility", "Someone with parental responsibility"
        COMPETENT_CHILD = "competent_child", "A competent child's own decision"
        LEGAL_REPRESENTATIVE = "legal_representative", "A legal representative"

    class Method(models.TextChoices):
        WRITTEN = "written", "Written"
        VERBAL = "verbal", "Verbal"
        ELECTRONIC = "electronic", "Electronic"

    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="consent_records")
    family = models.ForeignKey("cases.Family", on_delete=models.CASCADE, related_name="consent_records")
    # The code is the key (``partner:police``), so queries and other apps name purposes as strings.
    purpose = models.ForeignKey(
        ConsentPurpose, to_field="code", db_column="purpose", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    # RESTRICT, not CASCADE: destroying a family takes its records with it (SPEC §7), but
    # deleting a person alone must not silently remove records about someone else.
    decided_by = models.ForeignKey(
        "cases.Person", on_delete=models.RESTRICT, related_name="consent_decisions_made"
    )
    capacity = models.CharField(max_length=30, choices=Capacity.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    evidence = models.FileField(
        upload_to=evidence_upload_to,
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
        help_text="The signed form or other evidence, if there is one.",
    )
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    notice_version = models.ForeignKey(
        PrivacyNoticeVersion,
        on_delete=models.PROTECT,
        related_name="consent_records",
        verbose_name="privacy notice version shown",
    )
    review_on = models.DateField("review date", null=True, blank=True)
    # RESTRICT so a correction chain is destroyed together with its family (PROTECT would block it).
    corrects = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="corrections"
    )
    note = models.TextField(blank=True)

    objects = ConsentRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "purpose", "-decided_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "purpose", "decided_on"], name="consent_state_lookup"),
            models.Index(fields=["review_on"], name="consent_review_due"),
        ]
        constraints = [
            # Someone deciding for themselves is the person the record is about.
            models.CheckConstraint(
                condition=~models.Q(capacity__in=["self", "competent_child"])
                | models.Q(decided_by=models.F("person")),
                name="own_decision_is_by_the_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(capacity__in=["parental_responsibility", "legal_representative"])
                | ~models.Q(decided_by=models.F("person")),
                name="decision_for_someone_is_by_someone_else",
            ),
            models.CheckConstraint(
                condition=models.Q(review_on__isnull=True) | models.Q(review_on__gt=models.F("decided_on")),
                name="consent_review_after_decision",
            ),
        ]

    def __str__(self):
        return f"{self.purpose_id}: {self.get_decision_display()} on {self.decided_on:%d %B %Y}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError(
                "Consent records are never changed: record a correction or a withdrawal instead."
            )
        super().save(*args, **kwargs)


class EducationOptOut(models.Model):
    """The Education and Skills Act 2008 opt-out (domain-rules §5): when in force, only name,
    address and date of birth may be shared about the person.

    Append-only: ending an opt-out is a new row with status "ended".
    """

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "Opted out: share only name, address and date of birth"
        ENDED = "ended", "Opt-out ended"

    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="education_opt_outs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    from_date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    note = models.TextField(blank=True, help_text="Who asked, and how we were told.")

    objects = AppendOnlyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-from_date", "-pk"]
        indexes = [models.Index(fields=["person", "from_date"], name="education_opt_out_lookup")]

    def __str__(self):
        return f"{self.get_status_display()} from {self.from_date:%d %B %Y}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError("Education opt-outs are never changed: record a new entry instead.")
        super().save(*args, **kwargs)
