"""Load the two versions of the national programme's framework (domain-rules §6, SPEC §4.3).

Framework values are data, so a change in guidance is a new migration like
this one, never an edit to code:

- the privacy notice's phase (Troubled Families, from April 2015): six headline
  problems, a family needed two. The notice names four of them; the other two
  are "children who need help" and "health problems" (Financial Framework for
  the Expanded Troubled Families Programme, 2015). The six carried on under
  the Supporting Families name until the national outcomes framework replaced
  them, so this version stays in force until 2 October 2022;
- the National Supporting Families Outcome Framework, in force from
  3 October 2022: ten headline outcomes, at least three family needs
  (Supporting Families programme guidance 2022 to 2025, chapters 4 and 5).
Both ask for outcomes sustained six months after closure.
"""

import datetime

from django.db import migrations

FRAMEWORKS = [
    {
        "code": "troubled-families-2015",
        "name": "Troubled Families programme 2015 to 2020 (six headline problems)",
        "version": "2015",
        "effective_from": datetime.date(2015, 4, 1),
        "effective_to": datetime.date(2022, 10, 2),
        "criteria_threshold": 2,
        # In this phase a family joined with two problems, and results were claimed on all of them.
        "claim_minimum_needs": 2,
        "sustain_months": 6,
        "source": (
            "Financial Framework for the Expanded Troubled Families Programme (DCLG, 2015): families with "
            "at least two of six headline problems. The problems the privacy notice names: school "
            "attendance; crime and anti-social behaviour; employment; domestic violence and abuse."
        ),
        "outcomes": [
            (
                "crime_asb",
                "Crime and anti-social behaviour",
                "Parents or children involved in crime or anti-social behaviour.",
            ),
            (
                "school_attendance",
                "School attendance",
                "Children who have not been attending school regularly.",
            ),
            (
                "children_need_help",
                "Children who need help",
                "Children of all ages who need help, including children in need and those on a child "
                "protection plan.",
            ),
            (
                "employment",
                "Employment",
                "Adults out of work or at risk of financial exclusion, and young people at risk of "
                "worklessness.",
            ),
            (
                "domestic_abuse",
                "Domestic violence and abuse",
                "Families affected by domestic violence and abuse.",
            ),
            (
                "health",
                "Health problems",
                "Parents or children with a range of physical or mental health problems.",
            ),
        ],
    },
    {
        "code": "supporting-families-2022",
        "name": "National Supporting Families Outcome Framework",
        "version": "2022",
        "effective_from": datetime.date(2022, 10, 3),
        "effective_to": None,
        "criteria_threshold": 3,
        "claim_minimum_needs": 3,
        "sustain_months": 6,
        "source": (
            "Supporting Families programme guidance 2022 to 2025 (DLUHC; the programme moved to the "
            "Department for Education on 1 April 2024): at least three family needs, a lead practitioner, "
            "a whole-family assessment and plan, positive outcomes on every need sustained six months "
            "after closure."
        ),
        "outcomes": [
            (
                "education",
                "Getting a good education",
                "School attendance, exclusions, special educational needs.",
            ),
            (
                "early_years",
                "Good early years development",
                "Health and development of children from pregnancy to age five.",
            ),
            (
                "health",
                "Improved mental and physical health",
                "Mental and physical health of adults and children.",
            ),
            (
                "substance_use",
                "Promoting recovery and reducing harm from substance use",
                "Drug or alcohol use by adults or children.",
            ),
            (
                "family_relationships",
                "Improved family relationships",
                "Conflict between parents, between parents and children, and parenting.",
            ),
            (
                "child_safety",
                "Children safe from abuse and exploitation",
                "Children at risk of neglect, abuse, going missing or exploitation.",
            ),
            (
                "crime",
                "Crime prevention and tackling crime",
                "Adults or children involved in, or at risk of, crime or anti-social behaviour.",
            ),
            (
                "domestic_abuse",
                "Safe from domestic abuse",
                "Family members experiencing or affected by domestic abuse.",
            ),
            ("housing", "Secure housing", "Homelessness, risk of eviction, unsuitable housing."),
            (
                "financial_stability",
                "Financial stability",
                "Worklessness, problem debt and financial difficulty.",
            ),
        ],
    },
]


def load_frameworks(apps, schema_editor):
    ProgrammeFramework = apps.get_model("cases", "ProgrammeFramework")
    HeadlineOutcome = apps.get_model("cases", "HeadlineOutcome")
    for spec in FRAMEWORKS:
        values = {key: value for key, value in spec.items() if key not in ("code", "outcomes")}
        framework, _ = ProgrammeFramework.objects.update_or_create(code=spec["code"], defaults=values)
        for order, (code, title, description) in enumerate(spec["outcomes"], start=1):
            HeadlineOutcome.objects.update_or_create(
                framework=framework,
                code=code,
                defaults={"title": title, "description": description, "order": order},
            )


def unload_frameworks(apps, schema_editor):
    ProgrammeFramework = apps.get_model("cases", "ProgrammeFramework")
    ProgrammeFramework.objects.filter(code__in=[spec["code"] for spec in FRAMEWORKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_programme"),
    ]

    operations = [
        migrations.RunPython(load_frameworks, unload_frameworks),
    ]
