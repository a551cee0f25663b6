"""Load the registries the check and the agreements name by code (SPEC §6.1; STYLE: guidance as data).

Organisation categories follow the issue's list and name the consent purpose
holding a family's wishes about that kind of partner (ADR 0002). Housing and
health partners have no sharing-wish purpose in the consent registry yet, so
an agreement with them relying on consent cannot be met until the DPO adds
one; ONS research matching and the programme's department read the family's
``programme`` wishes (SPEC §6.3).

Data categories: name, address and date of birth are what the Education and
Skills Act 2008 opt-out still allows (domain-rules §5); health/SEND and
ethnic origin/religion are special category (Art 9); offending and anti-social
behaviour is criminal offence data (Art 10). Gender is not special category
but is its own category, so an agreement must list it to share it (domain-rules §1.4).
"""

from django.db import migrations

ORGANISATION_CATEGORIES = [
    # code, label, consent purpose
    ("police", "Police", "partner:police"),
    ("gp", "GP practice", "partner:gp"),
    ("camhs", "Child and adolescent mental health services (CAMHS)", "partner:camhs"),
    ("hospital", "Hospital", "partner:hospital"),
    ("early_years", "Early years setting", "partner:early_years"),
    ("school", "School", "partner:school"),
    ("college", "College", "partner:college"),
    ("social_care", "Social care", "partner:social_care"),
    ("housing", "Housing", None),
    ("health", "Other health service", None),
    ("government_department", "Government department", "partner:government_department"),
    ("ons", "Office for National Statistics (ONS)", "programme"),
    ("programme_department", "The department running the national programme", "programme"),
]

DATA_CATEGORIES = [
    # code, label, description, kind, allowed under the education opt-out
    ("identity", "Name and date of birth", "Names, previous names and date of birth.", "personal", True),
    ("address", "Address", "Current and previous addresses.", "personal", True),
    ("contact", "Phone and email", "Phone numbers and email addresses.", "personal", False),
    ("identifiers", "Identifiers", "Unique pupil number, NHS number, National Insurance number.", "personal", False),
    ("gender", "Gender", "Protected like special category data, though not listed in Art 9.", "personal", False),
    ("family_circumstances", "Family circumstances", "Household, relationships and needs.", "personal", False),
    ("education", "Education", "School, attendance, exclusions, participation.", "personal", False),
    ("case_notes", "Case notes, assessments and plans", "What the service recorded about its work.", "personal", False),
    ("support_outcomes", "Support and outcomes", "Support received and programme outcomes.", "personal", False),
    ("health_send", "Health, disability and SEND", "Health, disability and special educational needs.", "special", False),
    ("ethnicity_religion", "Ethnic origin and religion", "Racial or ethnic origin, religious beliefs.", "special", False),
    ("offending", "Offending and anti-social behaviour", "Police information about offending.", "criminal", False),
]

SHARING_PURPOSES = [
    ("early_help", "Co-ordinating support for the family (early help)"),
    ("referral", "Referring the family to a partner's service"),
    ("safeguarding", "Safeguarding a child or adult at risk"),
    ("programme_return", "National programme return (Supporting Families)"),
    ("participation", "Participation of young people in education, employment or training"),
    ("research", "Research matching (ONS)"),
    ("statistics", "Anonymised statistics"),
]


def load(apps, schema_editor):
    OrganisationCategory = apps.get_model("sharing", "OrganisationCategory")
    DataCategory = apps.get_model("sharing", "DataCategory")
    SharingPurpose = apps.get_model("sharing", "SharingPurpose")
    ConsentPurpose = apps.get_model("consent", "ConsentPurpose")
    known_purposes = set(ConsentPurpose.objects.values_list("code", flat=True))
    for position, (code, label, consent_purpose) in enumerate(ORGANISATION_CATEGORIES):
        OrganisationCategory.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "consent_purpose_id": consent_purpose if consent_purpose in known_purposes else None,
                "position": position,
            },
        )
    for position, (code, label, description, kind, opt_out) in enumerate(DATA_CATEGORIES):
        DataCategory.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "description": description,
                "kind": kind,
                "allowed_under_education_opt_out": opt_out,
                "position": position,
            },
        )
    for position, (code, label) in enumerate(SHARING_PURPOSES):
        SharingPurpose.objects.update_or_create(code=code, defaults={"label": label, "position": position})


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
        ("consent", "0002_purposes_and_notice"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
