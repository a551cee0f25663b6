"""Households and the people in them (SPEC §4.1): families, addresses, people, memberships.

Every model holding personal data keeps its change history (django-simple-history);
those history rows are personal data too and the retention sweep destroys them.
"""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.identifiers import (
    normalise_nhs_number,
    normalise_ni_number,
    normalise_upn,
    validate_nhs_number,
    validate_ni_number,
    validate_upn,
)
from cases.search_keys import name_key, normalise_postcode, postcode_key, validate_postcode
from fss.core.fields import EncryptedCharField, EncryptedTextField


class SpecialCategory(models.TextChoices):
    """Answers every special category question offers (domain-rules §4)."""

    NOT_OBTAINED = "not_obtained", "Not obtained"
    PREFERS_NOT_TO_SAY = "prefers_not_to_say", "Prefers not to say"


GENDER_CHOICES = [
    ("female", "Female"),
    ("male", "Male"),
    ("other", "Describes themselves another way"),
    *SpecialCategory.choices,
]
# ONS 2021 Census ethnic groups (England and Wales), for equality monitoring only.
ETHNICITY_CHOICES = [
    ("asian_bangladeshi", "Asian or Asian British: Bangladeshi"),
    ("asian_chinese", "Asian or Asian British: Chinese"),
    ("asian_indian", "Asian or Asian British: Indian"),
    ("asian_pakistani", "Asian or Asian British: Pakistani"),
    ("asian_other", "Asian or Asian British: any other Asian background"),
    ("black_african", "Black, Black British, Caribbean or African: African"),
    ("black_caribbean", "Black, Black British, Caribbean or African: Caribbean"),
    ("black_other", "Black, Black British, Caribbean or African: any other background"),
    ("mixed_white_asian", "Mixed or multiple: White and Asian"),
    ("mixed_white_black_african", "Mixed or multiple: White and Black African"),
    ("mixed_white_black_caribbean", "Mixed or multiple: White and Black Caribbean"),
    ("mixed_other", "Mixed or multiple: any other background"),
    ("white_british", "White: English, Welsh, Scottish, Northern Irish or British"),
    ("white_irish", "White: Irish"),
    ("white_gypsy_traveller", "White: Gypsy or Irish Traveller"),
    ("white_roma", "White: Roma"),
    ("white_other", "White: any other White background"),
    ("other_arab", "Other ethnic group: Arab"),
    ("other", "Other ethnic group: any other"),
    *SpecialCategory.choices,
]
RELIGION_CHOICES = [
    ("none", "No religion"),
    ("buddhist", "Buddhist"),
    ("christian", "Christian"),
    ("hindu", "Hindu"),
    ("jewish", "Jewish"),
    ("muslim", "Muslim"),
    ("sikh", "Sikh"),
    ("other", "Any other religion"),
    *SpecialCategory.choices,
]

# Crockford's base32 without I, L, O, U: easy to read aloud on the phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_family_reference() -> str:
    """A random reference such as "FSS-7K3M-9QX2": unique, and derived from no personal data."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"FSS-{chars[:4]}-{chars[4:]}"


class Family(models.Model):
    """A household the service works with; held by one team, led by one worker."""

    reference = models.CharField(max_length=20, unique=True, default=new_family_reference)
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="families")
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_families",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "families"
        ordering = ["reference"]
        permissions = [("allocate_family", "Can allocate families to workers")]

    def __str__(self):
        return self.reference


class FamilyAddress(models.Model):
    """One address in the family's address history; the current one has no end date."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField("Address line 1", max_length=200)
    line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100)
    postcode = models.CharField(max_length=10, validators=[validate_postcode])
    # Upper case without spaces, for search (SPEC §4.4); kept in step by save().
    postcode_key = models.CharField(max_length=10, editable=False, db_index=True, default="")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["postcode_key"])

    class Meta:
        verbose_name_plural = "family addresses"
        ordering = ["family", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="address_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.line_1}, {self.postcode}"

    def save(self, *args, **kwargs):
        self.postcode = normalise_postcode(self.postcode)
        self.postcode_key = postcode_key(self.postcode)
        super().save(*args, **kwargs)


class Person(models.Model):
    """Someone the service holds information about; may belong to several families."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    other_names = models.CharField(
        "Previous or other names",
        max_length=300,
        blank=True,
        help_text="Separate names with commas, for example a previous family name.",
    )
    # Name keys for tolerant search (cases.search_keys), "|"-separated; kept in step by save().
    search_name = models.CharField(max_length=1000, editable=False, default="")
    date_of_birth = models.DateField(null=True, blank=True)
    # For an unborn child: the expected date of birth instead.
    expected_date_of_birth = models.DateField(null=True, blank=True)
    # Special category data (UK GDPR Art 9; gender protected the same way, domain-rules §4):
    # encrypted at rest and shown only to holders of cases.view_special_category.
    gender = EncryptedCharField(max_length=30, choices=GENDER_CHOICES, default="not_obtained")
    ethnicity = EncryptedCharField(max_length=40, choices=ETHNICITY_CHOICES, default="not_obtained")
    religion = EncryptedCharField(max_length=30, choices=RELIGION_CHOICES, default="not_obtained")
    first_language = models.CharField(max_length=100, blank=True)
    # The flags decide eligibility and cohorts, so they stay queryable; the details are health data.
    has_send = models.BooleanField("Special educational need or disability", default=False)
    has_ehc_plan = models.BooleanField("Education, health and care plan", default=False)
    send_details = EncryptedTextField("SEND and health details", blank=True, default="")
    # Identifiers for matching (optional, validated, stored in their compact form).
    upn = models.CharField(
        "Unique pupil number", max_length=13, blank=True, db_index=True, validators=[validate_upn]
    )
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, db_index=True, validators=[validate_nhs_number]
    )
    ni_number = models.CharField(
        "National Insurance number", max_length=9, blank=True, db_index=True, validators=[validate_ni_number]
    )
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    date_of_death = models.DateField(null=True, blank=True)

    # The search key is rebuilt from the names, so history need not keep it.
    history = HistoricalRecords(excluded_fields=["search_name"])

    class Meta:
        verbose_name_plural = "people"
        ordering = ["family_name", "given_name"]
        permissions = [
            ("view_special_category", "Can see special category details (gender, ethnicity, religion, SEND)")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(date_of_birth__isnull=False, expected_date_of_birth__isnull=False),
                name="person_born_or_expected_not_both",
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    def save(self, *args, **kwargs):
        self.search_name = "|".join(self._name_keys())
        self.upn = normalise_upn(self.upn) if self.upn else ""
        self.nhs_number = normalise_nhs_number(self.nhs_number) if self.nhs_number else ""
        self.ni_number = normalise_ni_number(self.ni_number) if self.ni_number else ""
        super().save(*args, **kwargs)

    def _name_keys(self) -> list[str]:
        names = [f"{self.given_name} {self.family_name}"]
        if self.preferred_name:
            names.append(f"{self.preferred_name} {self.family_name}")
        names += [other for other in self.other_names.split(",") if other.strip()]
        keys = []
        for name in names:
            key = name_key(name)
            if key and key not in keys:
                keys.append(key)
        return keys

    @property
    def search_keys(self) -> list[str]:
        return self.search_name.split("|") if self.search_name else self._name_keys()

    def clean(self):
        if self.date_of_birth and self.expected_date_of_birth:
            raise ValidationError(
                {"expected_date_of_birth": "Give a date of birth or an expected date of birth, not both."}
            )
        if self.date_of_birth and self.date_of_death and self.date_of_death < self.date_of_birth:
            raise ValidationError({"date_of_death": "Date of death must be on or after date of birth."})

    def age_on(self, on: date) -> int | None:
        """Age in completed years on `on`, or None if not born by then.

        A birthday is reached when the calendar date is reached; someone born on
        29 February is a year older on 1 March in a common year (the usual
        reading in England of the Family Law Reform Act 1969 s.9).
        """
        if self.date_of_birth is None or on < self.date_of_birth:
            return None
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Membership(models.Model):
    """A person's place in a family, with their role and, for adults, parental responsibility."""

    class Role(models.TextChoices):
        CHILD = "child", "Child"
        YOUNG_PERSON = "young_person", "Young person"
        PARENT_CARER = "parent_carer", "Parent or carer"
        OTHER_ADULT = "other_adult", "Other adult"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    has_parental_responsibility = models.BooleanField(default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "family", "start_date"], name="one_membership_per_start_date"
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()}) in {self.family}"


# django-guardian with direct foreign keys for Family: grants are indexed rows
# that are deleted with the family (SPEC §7 destroys object-permission rows).
class FamilyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Family, on_delete=models.CASCADE)


class FamilyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Family, on_delete=models.CASCADE)
