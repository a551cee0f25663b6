"""Models of the cases app, one module per area; import them from here."""

from cases.models.external import ExternalDataImport, ExternalDataKind, ExternalDataRecord
from cases.models.merges import PersonMerge
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
from cases.models.programme import (
    ApprovalEvent,
    ApprovalStatus,
    Assessment,
    AssessmentNeed,
    HeadlineOutcome,
    Outcome,
    Plan,
    PlanAction,
    ProgrammeFramework,
    Review,
    TeamApprovalSetting,
)
from cases.models.records import Document, PaperRecord
from cases.models.work import BreakGlassAccess, Case, CaseEvent, CaseNote, ClosureRequest, Referral

__all__ = [
    "ETHNICITY_CHOICES",
    "GENDER_CHOICES",
    "RELIGION_CHOICES",
    "ApprovalEvent",
    "ApprovalStatus",
    "Assessment",
    "AssessmentNeed",
    "BreakGlassAccess",
    "Case",
    "CaseEvent",
    "CaseNote",
    "ClosureRequest",
    "Document",
    "ExternalDataImport",
    "ExternalDataKind",
    "ExternalDataRecord",
    "Family",
    "FamilyAddress",
    "FamilyGroupObjectPermission",
    "FamilyUserObjectPermission",
    "HeadlineOutcome",
    "Membership",
    "Outcome",
    "PaperRecord",
    "Person",
    "PersonMerge",
    "Plan",
    "PlanAction",
    "ProgrammeFramework",
    "Referral",
    "Review",
    "SpecialCategory",
    "TeamApprovalSetting",
    "new_family_reference",
]
