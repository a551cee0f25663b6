"""Models of the cases app, one module per area; import them from here."""

from cases.models.people import (
    ETHNICITY_CHOICES,
    GENDER_CHOICES,
    RELIGION_CHOICES,
    Family,
    FamilyAddress,
    FamilyGroupObjectPermission,
    FamilyUserObjectPermission,
    Membership,
    Person,
    SpecialCategory,
    new_family_reference,
)
from cases.models.work import BreakGlassAccess, Case, CaseEvent, CaseNote, Referral

__all__ = [
    "ETHNICITY_CHOICES",
    "GENDER_CHOICES",
    "RELIGION_CHOICES",
    "BreakGlassAccess",
    "Case",
    "CaseEvent",
    "CaseNote",
    "Family",
    "FamilyAddress",
    "FamilyGroupObjectPermission",
    "FamilyUserObjectPermission",
    "Membership",
    "Person",
    "Referral",
    "SpecialCategory",
    "new_family_reference",
]
