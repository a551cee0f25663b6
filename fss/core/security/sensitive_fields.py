"""The register of sensitive fields (domain-rules §4, SPEC §9): one table, shown to the DPO.

Every field that holds special category data (UK GDPR Art 9) or criminal offence
data (Art 10) is listed here with its Art 6 basis, its Art 9 / Art 10 condition
and who may see it. Every field listed is encrypted at rest (fss.core.fields), and
every encrypted field of the project is listed: tests/security/test_sensitive_fields.py
walks the models and fails on a field that is in one place but not the other. A
new sensitive field therefore needs a line here, decided with the DPO.

The historical copies django-simple-history keeps are covered by their model's line
(they are encrypted the same way and destroyed with it).
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.text import capfirst

from fss.core.fields import EncryptedField

# Categories (UK GDPR Arts 9 and 10).
SPECIAL_CATEGORY = "Special category (Art 9)"
TREATED_AS_SPECIAL_CATEGORY = "Treated as special category"
SPECIAL_CATEGORY_AND_OFFENDING = "Special category (Art 9) and criminal offence (Art 10)"

# Art 6 bases and Art 9 / Art 10 conditions, in domain-rules §4's words.
PUBLIC_TASK = "Art 6(1)(e) public task"
EQUALITY = (
    "Art 9(2)(g) with DPA 2018 Sch 1 para 8 (equality of opportunity): aggregate use only, "
    "never a decision about an individual"
)
SOCIAL_CARE = "Art 9(2)(h) with DPA 2018 Sch 1 para 2 (health or social care)"
NOTE_CONDITIONS = (
    "Art 9(2)(h) with DPA 2018 Sch 1 para 2 (social care) and para 18 (safeguarding children and "
    "individuals at risk); Art 10 with DPA 2018 Sch 1 para 10 (unlawful acts) and para 18"
)

# Who may see (fss.core.roles; object access through the family's team, allocation or break-glass).
SEE_SPECIAL_CATEGORY = (
    "Caseworkers and managers of the family's team, and the DPO (cases.view_special_category); "
    "every read access-logged. Analysts see counts only."
)
SEE_PROGRAMME = (
    "Caseworkers and managers of the family's team, and the DPO; every read access-logged. "
    "Never in a return or a statistic."
)
SEE_NOTES = (
    "Caseworkers and managers of the family's team, and the DPO; every read access-logged. "
    "Notes marked sensitive are reviewed before any subject access disclosure."
)


@dataclass(frozen=True)
class SensitiveField:
    model: str  # app_label.ModelName
    field: str
    category: str
    article_6: str
    condition: str  # the Art 9 and/or Art 10 condition
    who_may_see: str
    note: str = ""


REGISTER: tuple[SensitiveField, ...] = (
    SensitiveField(
        "cases.Person",
        "gender",
        TREATED_AS_SPECIAL_CATEGORY,
        PUBLIC_TASK,
        EQUALITY,
        SEE_SPECIAL_CATEGORY,
        "Offers 'not obtained' and 'prefers not to say'.",
    ),
    SensitiveField(
        "cases.Person",
        "ethnicity",
        SPECIAL_CATEGORY,
        PUBLIC_TASK,
        EQUALITY,
        SEE_SPECIAL_CATEGORY,
        "Racial or ethnic origin. Equality statistics only; offers 'not obtained' and 'prefers not to say'.",
    ),
    SensitiveField(
        "cases.Person",
        "religion",
        SPECIAL_CATEGORY,
        PUBLIC_TASK,
        EQUALITY,
        SEE_SPECIAL_CATEGORY,
        "Religious belief. Equality statistics only; offers 'not obtained' and 'prefers not to say'.",
    ),
    SensitiveField(
        "cases.Person",
        "send_details",
        SPECIAL_CATEGORY,
        PUBLIC_TASK,
        SOCIAL_CARE,
        SEE_SPECIAL_CATEGORY,
        "Health. The yes/no flags for SEND and an EHC plan stay searchable: they decide eligibility.",
    ),
    SensitiveField(
        "cases.CaseNote",
        "text",
        SPECIAL_CATEGORY_AND_OFFENDING,
        PUBLIC_TASK,
        NOTE_CONDITIONS,
        SEE_NOTES,
        "Free text: may record health, offending, domestic abuse or a child's disclosure.",
    ),
    SensitiveField(
        "cases.AssessmentNeed",
        "evidence",
        SPECIAL_CATEGORY_AND_OFFENDING,
        PUBLIC_TASK,
        NOTE_CONDITIONS,
        SEE_PROGRAMME,
        "Evidence for a need identified against a headline outcome: health, substance use, abuse, crime.",
    ),
    SensitiveField(
        "cases.Outcome",
        "progress_note",
        SPECIAL_CATEGORY_AND_OFFENDING,
        PUBLIC_TASK,
        NOTE_CONDITIONS,
        SEE_PROGRAMME,
        "Progress on such a need, and the evidence for it. The progress itself (none, some, achieved) "
        "stays countable for the programme's returns.",
    ),
    SensitiveField(
        "cases.ExternalDataRecord",
        "value",
        "Criminal offence (Art 10) when the kind is offending",
        PUBLIC_TASK,
        "Art 10 with DPA 2018 Sch 1 para 10 (unlawful acts) and para 18 (safeguarding) for offending "
        "values; attendance and employment values need no Art 9 or 10 condition but are encrypted alike",
        "Caseworkers and managers of the family's team, and the DPO; offending values only to holders "
        "of cases.view_offence_data; every read access-logged.",
        "Data received from other services (imports).",
    ),
    SensitiveField(
        "cases.ExternalDataImport",
        "preview",
        SPECIAL_CATEGORY_AND_OFFENDING,
        PUBLIC_TASK,
        "As the records it previews: Art 10 with DPA 2018 Sch 1 para 10 (unlawful acts); Art 9(2)(h) "
        "with DPA 2018 Sch 1 para 2 (health or social care)",
        "The team manager importing the file (cases.import_external_data).",
        "Row-by-row preview of an import, deleted when the import is committed, cancelled or fails.",
    ),
)


@dataclass(frozen=True)
class RegisterRow:
    entry: SensitiveField
    model_name: str  # the model's verbose name, for people
    field_name: str  # the field's verbose name
    encrypted: bool


def rows() -> list[RegisterRow]:
    """The register resolved against the models, with whether each field is encrypted today.

    A line naming a model or field that does not exist raises (LookupError, FieldDoesNotExist):
    the register must not describe fields the code no longer has.
    """
    found = []
    for entry in REGISTER:
        model = apps.get_model(entry.model)
        field = model._meta.get_field(entry.field)
        found.append(
            RegisterRow(
                entry=entry,
                model_name=capfirst(model._meta.verbose_name),
                field_name=capfirst(field.verbose_name),
                encrypted=isinstance(field, EncryptedField),
            )
        )
    return found
