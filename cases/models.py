"""Families, people, memberships and cases (SPEC §4.1).

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
    postcode = models.CharField(max_length=10)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

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


class Person(models.Model):
    """Someone the service holds information about; may belong to several families."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    # For an unborn child: the expected date of birth instead.
    expected_date_of_birth = models.DateField(null=True, blank=True)
    has_send = models.BooleanField("Special educational need or disability", default=False)
    has_ehc_plan = models.BooleanField("Education, health and care plan", default=False)
    date_of_death = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "people"
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(date_of_birth__isnull=False, expected_date_of_birth__isnull=False),
                name="person_born_or_expected_not_both",
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

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


class Case(models.Model):
    """One episode of involvement with a family; a family may have several over time."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class ClosureReason(models.TextChoices):
        NEEDS_MET = "needs_met", "Needs met"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn or declined"
        MOVED_AWAY = "moved_away", "Moved away"
        STEPPED_UP = "stepped_up", "Stepped up to social care"
        DISENGAGED = "disengaged", "Disengaged"
        OTHER = "other", "Other"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="cases")
    opened_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_cases",
    )
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family", "-opened_on"]
        constraints = [
            # A closed case has a closure date and reason; an open one has neither.
            models.CheckConstraint(
                condition=(
                    models.Q(status="open", closed_on__isnull=True, closure_reason="")
                    | (models.Q(status="closed", closed_on__isnull=False) & ~models.Q(closure_reason=""))
                ),
                name="case_closure_matches_status",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return f"Case {self.pk} for {self.family}"


# django-guardian with direct foreign keys for Family: grants are indexed rows
# that are deleted with the family (SPEC §7 destroys object-permission rows).
class FamilyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Family, on_delete=models.CASCADE)


class FamilyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Family, on_delete=models.CASCADE)
