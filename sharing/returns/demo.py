"""Demo data for the returns (SPEC §12 seed_demo): fictional recipients, agreements and a research
project, and participation records for the demo families' young people. Never real data.

Idempotent: organisations are found by name, agreements by title, the project by reference, and a
young person who already has an activity recorded is left alone. Call after `seed_families` and
`seed_sharing` (it reuses the demo Department for Education).
"""

import random
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction

from sharing.demo import _TERMS
from sharing.models import (
    AgreementDataCategory,
    AgreementParty,
    DataCategory,
    DataSharingAgreement,
    LawfulBasis,
    Organisation,
    OrganisationCategory,
    SharingPurpose,
    SpecialCondition,
    TransferMethod,
)
from sharing.returns import selectors, services
from sharing.returns.models import ActivityRecord, ContactAttempt, ResearchProject

DFE = "Department for Education (demo)"
ONS = "Office for National Statistics (demo)"

AGREEMENTS = [
    # title, organisation, basis, purposes, categories, legal power
    (
        "Participation of young people: monthly returns (demo)",
        DFE,
        LawfulBasis.LEGAL_OBLIGATION,
        ("participation",),
        (
            ("identifiers", ""),
            ("identity", ""),
            ("gender", ""),
            ("address", ""),
            ("education", ""),
            ("health_send", SpecialCondition.STATUTORY),
        ),
        "Education and Skills Act 2008 ss.10, 12, 13, 68; Education Act 1996 s.15ZA.",
    ),
    (
        "Supporting Families anonymised return (demo)",
        DFE,
        LawfulBasis.PUBLIC_TASK,
        ("statistics",),
        (("family_circumstances", ""), ("support_outcomes", "")),
        "Children Act 2004 s.10; the programme's grant conditions.",
    ),
    (
        "Supporting Families national impact study: research matching (demo)",
        ONS,
        LawfulBasis.PUBLIC_TASK,
        ("research",),
        (
            ("identity", ""),
            ("address", ""),
            ("gender", ""),
            ("identifiers", ""),
            ("family_circumstances", ""),
            ("support_outcomes", ""),
        ),
        "Statistics and Registration Service Act 2007 s.45A; Digital Economy Act 2017 s.64.",
    ),
]

PROJECT = "ONS-SF-IMPACT-DEMO"

# Activities a demo young person may be doing, most often in education.
DEMO_CODES = ["220", "230", "230", "210", "310", "330", "410", "619", "610", "630", "240", "530"]


@transaction.atomic
def seed_returns(*, today: date) -> tuple[int, int]:
    """Create what does not exist yet; returns (created, already present)."""
    created = present = 0
    organisations = {}
    for name, category in ((DFE, "programme_department"), (ONS, "ons")):
        organisation, made = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "category": OrganisationCategory.objects.get(code=category),
                "secure_transfer_method": TransferMethod.SECURE_PORTAL,
                "contact_name": "Data services",
                "contact_email": "data@example.org",
            },
        )
        organisations[name] = organisation
        created, present = (created + 1, present) if made else (created, present + 1)
    start = today - relativedelta(years=1)
    for title, organisation, basis, purposes, categories, power in AGREEMENTS:
        if DataSharingAgreement.objects.filter(title=title).exists():
            present += 1
            continue
        agreement = DataSharingAgreement.objects.create(
            title=title,
            lawful_basis=basis,
            legal_power=power,
            transfer_method=TransferMethod.SECURE_PORTAL,
            start_date=start,
            review_date=today + relativedelta(months=10),
            council_signed_by="Director of Children's Services",
            council_signed_on=start,
            **_TERMS,
        )
        agreement.purposes.set(SharingPurpose.objects.filter(code__in=purposes))
        AgreementParty.objects.create(
            agreement=agreement,
            organisation=organisations[organisation],
            signatory_name="Head of data services",
            signed_on=start,
        )
        for code, condition in categories:
            AgreementDataCategory.objects.create(
                agreement=agreement, category=DataCategory.objects.get(code=code), condition=condition
            )
        created += 1
    if not ResearchProject.objects.filter(reference=PROJECT).exists():
        ResearchProject.objects.create(
            reference=PROJECT,
            title="Supporting Families national impact study (demo)",
            description="Matching programme families to attendance, offending, benefit and work records.",
            recipient=organisations[ONS],
            agreement=DataSharingAgreement.objects.get(title=AGREEMENTS[2][0]),
            starts_on=today - relativedelta(years=1),
            ends_on=today - relativedelta(months=2),
            destruction_confirmation_due_on=today - relativedelta(days=14),
        )
        created += 1
    else:
        present += 1
    made = _seed_participation(today=today)
    return created + made, present


def _seed_participation(*, today: date) -> int:
    """An activity for most tracked young people (some past review), contact attempts for the others,
    September Guarantee offers for this year's leavers."""
    made = 0
    year = selectors.academic_year_start(today)
    for member in selectors.tracked_cohort(on=today):
        person, family = member.person, member.family
        # Seeded already: an activity, or (never confirmed) the attempts to reach them.
        if (
            ActivityRecord.objects.filter(person=person).exists()
            or ContactAttempt.objects.filter(person=person).exists()
        ):
            continue
        worker = family.lead_worker
        if worker is None:
            continue
        rng = random.Random(f"fss-demo-participation-{person.pk}")  # noqa: S311 - synthetic data
        if rng.random() < 0.15:  # never confirmed: shows as not known (810) with attempts to reach them
            for days in (40, 12):
                ContactAttempt.objects.create(
                    person=person,
                    on=today - relativedelta(days=days),
                    method=rng.choice(ContactAttempt.Method.values),
                    result=ContactAttempt.Result.NO_REPLY,
                    recorded_by=worker,
                )
                made += 1
            continue
        confirmed = today - relativedelta(days=rng.randint(20, 250))
        review = None
        if rng.random() < 0.2:  # confirmed long ago: past its review date, so it counts as 810
            review = today - relativedelta(days=rng.randint(1, 15))
            confirmed = review - relativedelta(months=6)
        services.record_activity(
            person=person,
            family=family,
            code=rng.choice(DEMO_CODES),
            confirmed_on=confirmed,
            review_on=review,
            source=rng.choice(ActivityRecord.Source.values),
            by=worker,
        )
        made += 1
        if member.academic_age in (16, 17) and rng.random() < 0.8:
            services.record_september_offer(
                person=person,
                family=family,
                academic_year=year,
                offer=rng.choice(
                    ["full_time_education", "full_time_education", "apprenticeship", "no_offer"]
                ),
                recorded_on=min(today, date(year, 9, 1) + relativedelta(days=rng.randint(0, 25))),
                by=worker,
            )
            made += 1
    services.create_follow_up_tasks(on=today)
    return made
