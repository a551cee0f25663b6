"""Partner organisations and data sharing agreements (SPEC §6.1, domain-rules §5).

These registers hold no data about families: only organisations, their staff
contacts and the terms agreed. They keep their change history so the DPO can
show what an agreement said on the day a disclosure relied on it.
"""

import secrets
import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sharing.models.choices import AGGREGATE_ONLY_CONDITIONS, LawfulBasis, SpecialCondition, TransferMethod
from sharing.models.registries import DataCategory, OrganisationCategory, SharingPurpose

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Used when an organisation does not say how soon it answers referrals (SPEC §6.2 reminders).
DEFAULT_REFERRAL_RESPONSE_DAYS = 10


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def new_agreement_reference() -> str:
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"DSA-{chars[:4]}-{chars[4:]}"


def agreement_upload_to(instance, filename: str) -> str:
    return f"sharing/agreements/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Organisation(models.Model):
    """A partner the service shares with or receives from (SPEC §6.1)."""

    name = models.CharField(max_length=200, unique=True)
    category = models.ForeignKey(OrganisationCategory, on_delete=models.PROTECT, related_name="organisations")
    contact_name = models.CharField("Single point of contact", max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    address = models.TextField(blank=True)
    secure_transfer_method = models.CharField(max_length=20, choices=TransferMethod.choices)
    transfer_details = models.CharField(
        max_length=300, blank=True, help_text="For example the secure mailbox or portal address."
    )
    referral_response_days = models.PositiveSmallIntegerField(
        "Days to answer a referral",
        default=DEFAULT_REFERRAL_RESPONSE_DAYS,
        help_text="After this many days without an answer, the referral shows as awaiting a response.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AgreementQuerySet(models.QuerySet):
    def in_force_on(self, on: date):
        """Agreements in force on `on` (SPEC §6.1): signed by every party by then, started,
        not ended, not revoked."""
        unsigned = AgreementParty.objects.filter(agreement=OuterRef("pk")).filter(
            Q(signed_on__isnull=True) | Q(signed_on__gt=on)
        )
        return (
            self.filter(start_date__lte=on, council_signed_on__lte=on)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
            .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
            .filter(Exists(AgreementParty.objects.filter(agreement=OuterRef("pk"))))
            .exclude(Exists(unsigned))
        )

    def with_terms(self):
        """With the parties, categories and purposes the check and the register read."""
        return self.prefetch_related(
            models.Prefetch(
                "parties", queryset=AgreementParty.objects.select_related("organisation__category")
            ),
            models.Prefetch(
                "data_categories", queryset=AgreementDataCategory.objects.select_related("category")
            ),
            "purposes",
        )


class DataSharingAgreement(models.Model):
    """A data sharing agreement with every element of domain-rules §5.

    Whether it is in force is computed, never stored (`in_force`); a status
    change (signature, revocation) is a recorded date. Change history keeps
    what it said on every day.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: not signed by every party"
        SIGNED = "signed", "Signed, not started"
        IN_FORCE = "in_force", "In force"
        ENDED = "ended", "Ended"
        REVOKED = "revoked", "Revoked"

    class PartyRole(models.TextChoices):
        CONTROLLER = "controller", "Independent controller"
        JOINT_CONTROLLER = "joint_controller", "Joint controller"
        PROCESSOR = "processor", "Processor"

    class Frequency(models.TextChoices):
        AS_NEEDED = "as_needed", "Case by case, as needed"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annually"
        ONE_OFF = "one_off", "Once"

    reference = models.CharField(max_length=20, unique=True, default=new_agreement_reference, editable=False)
    title = models.CharField(max_length=200)
    purpose_and_benefits = models.TextField(help_text="Why the sharing is needed and what it achieves.")
    purposes = models.ManyToManyField(SharingPurpose, related_name="agreements")
    council_role = models.CharField(
        "The council's role", max_length=20, choices=PartyRole.choices, default=PartyRole.CONTROLLER
    )
    lawful_basis = models.CharField(
        "Lawful basis (UK GDPR Art 6)", max_length=20, choices=LawfulBasis.choices
    )
    legal_power = models.TextField(
        "The public body's legal power",
        help_text="For example Children Act 2004 s.10 (co-operation to improve well-being).",
    )
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.AS_NEEDED)
    transfer_method = models.CharField(max_length=20, choices=TransferMethod.choices)
    contacts = models.TextField(
        "Single points of contact", help_text="Names, roles and contact details for each party."
    )
    rights_and_complaints = models.TextField(
        "Rights requests and complaints",
        help_text="How subject access and other requests, and complaints, are handled.",
    )
    data_quality = models.TextField(
        "Data quality, formats and corrections",
        help_text="Including how recipients are told of corrections (UK GDPR Art 19).",
    )
    recipient_retention = models.TextField(
        "Retention and disposal by the recipient",
        help_text="How long the recipient keeps it and how it is destroyed.",
    )
    security = models.TextField(help_text="Security of storage and transfer.")
    breach_handling = models.TextField("Breach handling")
    training = models.TextField(blank=True)
    termination = models.TextField(
        "Termination", help_text="How the agreement ends and what happens to data already shared."
    )
    onward_use_limits = models.TextField(
        "Limits on onward use", blank=True, help_text="What the recipient may not do with the data."
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    review_date = models.DateField()
    council_signed_by = models.CharField("Signed for the council by", max_length=200, blank=True)
    council_signed_on = models.DateField("Signed for the council on", null=True, blank=True)
    revoked_on = models.DateField(null=True, blank=True, help_text="Not in force from this date.")
    revocation_reason = models.TextField(blank=True)
    document = models.FileField(
        "Signed agreement",
        upload_to=agreement_upload_to,
        blank=True,
        validators=[FileExtensionValidator(["pdf", "doc", "docx", "odt"])],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[purposes])

    class Meta:
        ordering = ["-start_date", "reference"]
        verbose_name = "data sharing agreement"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="agreement_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revocation_reason=""),
                name="agreement_revocation_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def clean(self):
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be on or after the start date."
        if self.review_date and self.start_date and self.review_date < self.start_date:
            errors["review_date"] = "The review date must be on or after the start date."
        if self.revoked_on and not self.revocation_reason.strip():
            errors["revocation_reason"] = "Say why the agreement was revoked."
        if self.council_signed_on and not self.council_signed_by.strip():
            errors["council_signed_by"] = "Give the name of the person who signed for the council."
        if errors:
            raise ValidationError(errors)

    # --- in force (SPEC §6.1) ---

    def _parties(self) -> list["AgreementParty"]:
        return list(self.parties.all())

    def not_in_force_reasons(self, on: date) -> list[str]:
        """Why the agreement is not in force on `on`, in plain words; empty when it is."""
        reasons = []
        if self.start_date > on:
            reasons.append(f"it starts on {long_date(self.start_date)}")
        if self.end_date and self.end_date < on:
            reasons.append(f"it ended on {long_date(self.end_date)}")
        if self.revoked_on and self.revoked_on <= on:
            reasons.append(f"it was revoked on {long_date(self.revoked_on)}")
        if not self.council_signed_on or self.council_signed_on > on:
            reasons.append("the council had not signed it")
        parties = self._parties()
        if not parties:
            reasons.append("no partner is a party to it")
        unsigned = [str(p.organisation) for p in parties if not p.signed_on or p.signed_on > on]
        if unsigned:
            reasons.append(f"{', '.join(unsigned)} had not signed it")
        return reasons

    def in_force(self, on: date) -> bool:
        return not self.not_in_force_reasons(on)

    def status_on(self, on: date) -> "DataSharingAgreement.Status":
        if self.revoked_on and self.revoked_on <= on:
            return self.Status.REVOKED
        if self.end_date and self.end_date < on:
            return self.Status.ENDED
        signed = self.council_signed_on and all(p.signed_on for p in self._parties()) and self._parties()
        if not signed:
            return self.Status.DRAFT
        if self.in_force(on):
            return self.Status.IN_FORCE
        return self.Status.SIGNED

    @property
    def status(self):
        return self.status_on(timezone.localdate())

    def covers_purpose(self, purpose: SharingPurpose) -> bool:
        return any(p.pk == purpose.pk for p in self.purposes.all())

    def category_entry(self, category: DataCategory) -> "AgreementDataCategory | None":
        return next((e for e in self.data_categories.all() if e.category_id == category.pk), None)

    def has_party(self, organisation: Organisation) -> bool:
        return any(p.organisation_id == organisation.pk for p in self._parties())


class AgreementParty(models.Model):
    """A partner organisation's place in an agreement: its role and its signature."""

    agreement = models.ForeignKey(DataSharingAgreement, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agreement_parties")
    role = models.CharField(
        max_length=20,
        choices=DataSharingAgreement.PartyRole.choices,
        default=DataSharingAgreement.PartyRole.CONTROLLER,
    )
    signatory_name = models.CharField("Signed by", max_length=200, blank=True)
    signed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "organisation__name"]
        verbose_name = "party to the agreement"
        verbose_name_plural = "parties to the agreement"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="one_party_entry_per_organisation"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display().lower()})"

    def clean(self):
        if self.signed_on and not self.signatory_name.strip():
            raise ValidationError({"signatory_name": "Give the name of the person who signed."})


class AgreementDataCategory(models.Model):
    """A data category an agreement allows, with its Art 9/10 condition when it needs one."""

    agreement = models.ForeignKey(
        DataSharingAgreement, on_delete=models.CASCADE, related_name="data_categories"
    )
    category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="+")
    condition = models.CharField(
        "Art 9 or Art 10 condition",
        max_length=20,
        choices=SpecialCondition.choices,
        blank=True,
        help_text="Needed for special category and criminal offence data.",
    )
    items = models.CharField(
        "Data items", max_length=300, blank=True, help_text="The minimum items within this category."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "category__position"]
        verbose_name = "data category allowed"
        verbose_name_plural = "data categories allowed"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "category"], name="one_entry_per_category_per_agreement"
            ),
        ]

    def __str__(self):
        condition = f" ({self.get_condition_display()})" if self.condition else ""
        return f"{self.category}{condition}"

    def clean(self):
        try:
            category = self.category
        except DataCategory.DoesNotExist:
            return
        if category.needs_condition and not self.condition:
            raise ValidationError(
                {
                    "condition": f"{category} is {category.get_kind_display().lower()}: "
                    f"choose its {category.article} condition."
                }
            )
        if category.needs_condition and self.condition in AGGREGATE_ONLY_CONDITIONS:
            raise ValidationError(
                {
                    "condition": "Equality monitoring covers aggregate statistics only, "
                    "never sharing about a person."
                }
            )
        if not category.needs_condition and self.condition:
            raise ValidationError(
                {"condition": f"{category} is not special category or criminal offence data."}
            )
