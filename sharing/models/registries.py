"""Registries that agreements, disclosures and the check name by stable code (SPEC §6.1).

Guidance changes these lists, code does not (STYLE: domain values are data):
migration 0002 loads them, the DPO adds to them in the console, and a code is
never changed or deleted because stored decisions name it. They hold no data
about families.
"""

from django.core.validators import RegexValidator
from django.db import models

CODE = RegexValidator(r"^[a-z][a-z0-9_]*$", "Use lower-case letters, digits and underscores.")


class OrganisationCategory(models.Model):
    """A kind of partner (police, GP, school…), and the consent purpose that carries a family's
    wishes about sharing with that kind of partner (ADR 0002: ``police`` → ``partner:police``)."""

    code = models.CharField(max_length=40, unique=True, validators=[CODE])
    label = models.CharField(max_length=100)
    # Empty where no wishes are asked for this kind of partner: an agreement relying on
    # consent can then never be satisfied, and the check says so.
    consent_purpose = models.ForeignKey(
        "consent.ConsentPurpose",
        to_field="code",
        db_column="consent_purpose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The consent purpose that records a family's wishes about sharing with these partners.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]
        verbose_name_plural = "organisation categories"

    def __str__(self):
        return self.label


class DataCategory(models.Model):
    """A kind of information that may be shared (identity, health and SEND, offending…)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal data"
        SPECIAL = "special", "Special category data (UK GDPR Art 9)"
        CRIMINAL = "criminal", "Criminal offence data (UK GDPR Art 10)"

    code = models.CharField(max_length=40, unique=True, validators=[CODE])
    label = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    # Education and Skills Act 2008 (domain-rules §5): with the opt-out in force only
    # name, address and date of birth may be shared.
    allowed_under_education_opt_out = models.BooleanField(
        default=False,
        help_text="Part of name, address and date of birth, which the education opt-out allows.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]
        verbose_name_plural = "data categories"

    def __str__(self):
        return self.label

    @property
    def needs_condition(self) -> bool:
        """Special category and criminal offence data need an Art 9/10 condition (domain-rules §4)."""
        return self.kind in (self.Kind.SPECIAL, self.Kind.CRIMINAL)

    @property
    def article(self) -> str:
        return {"special": "Art 9", "criminal": "Art 10"}.get(self.kind, "")


class SharingPurpose(models.Model):
    """Why information is shared; an agreement lists the purposes it covers."""

    code = models.CharField(max_length=40, unique=True, validators=[CODE])
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self):
        return self.label
