"""Demo partners and agreements for seed_demo: fictional organisations, never real contacts.

Idempotent: organisations are found by name and agreements by title, so a
second run adds nothing. The set shows every status the register knows and
every branch the check takes: public task and consent agreements, special
category and criminal offence data with their conditions, an agreement due
for review, one that has ended, and partners with none (safeguarding only).
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction

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

ORGANISATIONS = [
    # name, category, transfer method, days to answer a referral
    ("Thames Valley Police (demo)", "police", TransferMethod.SECURE_EMAIL, 5),
    ("Riverside Surgery (demo)", "gp", TransferMethod.SECURE_EMAIL, 10),
    ("Oakfield Academy (demo)", "school", TransferMethod.SECURE_PORTAL, 10),
    ("Vale Housing Trust (demo)", "housing", TransferMethod.SECURE_EMAIL, 15),
    ("Children's Mental Health Service (demo)", "camhs", TransferMethod.SECURE_EMAIL, 20),
    ("Department for Education (demo)", "programme_department", TransferMethod.SYSTEM, 30),
]


@dataclass(frozen=True)
class DemoAgreement:
    title: str
    organisation: str
    basis: str
    purposes: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]
    legal_power: str
    started_years_ago: int = 1
    review_in_days: int = 300
    ended_days_ago: int | None = None


AGREEMENTS = [
    DemoAgreement(
        "Early help and safeguarding information sharing with the police (demo)",
        "Thames Valley Police (demo)",
        LawfulBasis.PUBLIC_TASK,
        ("early_help", "safeguarding", "referral"),
        (
            ("identity", ""),
            ("address", ""),
            ("family_circumstances", ""),
            ("offending", SpecialCondition.UNLAWFUL_ACTS),
        ),
        "Children Act 2004 s.10 and s.11; Crime and Disorder Act 1998 s.115.",
    ),
    DemoAgreement(
        "School support plans, shared with the family's consent (demo)",
        "Oakfield Academy (demo)",
        LawfulBasis.CONSENT,
        ("early_help", "referral"),
        (
            ("identity", ""),
            ("address", ""),
            ("education", ""),
            ("health_send", SpecialCondition.EXPLICIT_CONSENT),
        ),
        "Children Act 2004 s.10.",
    ),
    DemoAgreement(
        "Primary care and early help (demo)",
        "Riverside Surgery (demo)",
        LawfulBasis.PUBLIC_TASK,
        ("early_help",),
        (("identity", ""), ("address", ""), ("health_send", SpecialCondition.HEALTH_SOCIAL_CARE)),
        "Children Act 2004 s.10; Health and Social Care Act 2012 s.251B.",
        review_in_days=20,
    ),
    DemoAgreement(
        "Housing and early help (demo, ended)",
        "Vale Housing Trust (demo)",
        LawfulBasis.PUBLIC_TASK,
        ("early_help",),
        (("identity", ""), ("address", ""), ("family_circumstances", "")),
        "Children Act 2004 s.10; Housing Act 1996 s.213.",
        started_years_ago=3,
        ended_days_ago=30,
    ),
    DemoAgreement(
        "Supporting Families programme return (demo)",
        "Department for Education (demo)",
        LawfulBasis.PUBLIC_TASK,
        ("programme_return",),
        (("identity", ""), ("family_circumstances", ""), ("support_outcomes", "")),
        "Children Act 2004 s.10; the programme's grant conditions.",
    ),
]

_TERMS = {
    "purpose_and_benefits": "Co-ordinated, timely support for families, and keeping children safe.",
    "contacts": "Council: Data Protection Officer. Partner: information governance lead.",
    "rights_and_complaints": "Each party answers requests for the data it holds and tells the other.",
    "data_quality": "Corrections are sent to every recipient within 5 working days (UK GDPR Art 19).",
    "recipient_retention": "Kept while the partner is involved, then securely destroyed within 6 months.",
    "security": "Secure transfer only; stored on access-controlled systems.",
    "breach_handling": "Reported to the other party within 24 hours.",
    "training": "Staff complete annual data protection training.",
    "termination": "Either party on three months' notice; data already shared is destroyed.",
    "onward_use_limits": "Not to be passed on without the council's written agreement.",
}


@transaction.atomic
def seed_sharing(*, today: date) -> tuple[int, int]:
    """Create the demo organisations and agreements that do not exist yet; returns (created, present)."""
    created = present = 0
    organisations = {}
    for name, category, method, days in ORGANISATIONS:
        organisation, made = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "category": OrganisationCategory.objects.get(code=category),
                "secure_transfer_method": method,
                "referral_response_days": days,
                "contact_name": "Information governance lead",
                "contact_email": "ig@example.org",
            },
        )
        organisations[name] = organisation
        created, present = (created + 1, present) if made else (created, present + 1)
    for spec in AGREEMENTS:
        if DataSharingAgreement.objects.filter(title=spec.title).exists():
            present += 1
            continue
        start = today - relativedelta(years=spec.started_years_ago)
        agreement = DataSharingAgreement.objects.create(
            title=spec.title,
            lawful_basis=spec.basis,
            legal_power=spec.legal_power,
            transfer_method=organisations[spec.organisation].secure_transfer_method,
            start_date=start,
            end_date=today - relativedelta(days=spec.ended_days_ago) if spec.ended_days_ago else None,
            review_date=today + relativedelta(days=spec.review_in_days),
            council_signed_by="Director of Children's Services",
            council_signed_on=start,
            **_TERMS,
        )
        agreement.purposes.set(SharingPurpose.objects.filter(code__in=spec.purposes))
        AgreementParty.objects.create(
            agreement=agreement,
            organisation=organisations[spec.organisation],
            signatory_name="Partner's information governance lead",
            signed_on=start,
        )
        for code, condition in spec.categories:
            AgreementDataCategory.objects.create(
                agreement=agreement, category=DataCategory.objects.get(code=code), condition=condition
            )
        created += 1
    return created, present


# --- Safeguarding shares waiting for someone (SPEC §6.2) ---

SAFEGUARDING_POLICE = "Thames Valley Police (demo)"
# (family number, immediate risk, the worker's justification): an open North family whose share
# waits for the manager's approval, and an open South family whose urgent share was approved
# afterwards and now waits for the DPO's review.
SAFEGUARDING_SHARES = [
    (1, False, "Demo data: school report worsening neglect over three weeks; police to join a visit."),
    (6, True, "Demo data: threats made to the children last night; police asked for the address."),
]


def seed_safeguarding_shares(*, today: date) -> tuple[int, int]:
    """Record the demo safeguarding shares through the sharing service; returns (created, present).

    Skipped for a family `--families` did not create. Call after `seed_families` and `seed_sharing`.
    """
    from cases.demo import demo_reference
    from cases.models import Case, Family
    from sharing.check import Safeguarding
    from sharing.models import Disclosure
    from sharing.services import decide_approval, record_disclosure

    created = present = 0
    police = Organisation.objects.get(name=SAFEGUARDING_POLICE)
    for number, immediate, justification in SAFEGUARDING_SHARES:
        family = Family.objects.filter(reference=demo_reference(number)).first()
        if family is None or not family.cases.filter(status=Case.Status.OPEN).exists():
            continue
        if Disclosure.objects.filter(family=family, is_safeguarding=True).exists():
            present += 1
            continue
        worker = family.lead_worker
        adult = family.memberships.filter(end_date__isnull=True).order_by("pk").first().person
        with transaction.atomic():
            shares = record_disclosure(
                family=family,
                people=[adult],
                recipient=police,
                categories=["identity", "address"],
                purpose="safeguarding",
                on=today,
                by=worker,
                expected=None,
                safeguarding=Safeguarding(justification, immediate_risk=immediate),
                family_told=False,
                family_not_told_reason="Demo data: telling the family would raise the risk to the children.",
                transfer_method=TransferMethod.SECURE_EMAIL,
            )
            if immediate:
                manager = family.team.memberships.filter(is_manager=True).order_by("pk").first().user
                decide_approval(
                    decision_id=shares[0].decision_id, approve=True, comment="Demo data: agreed.", by=manager
                )
        created += 1
    return created, present
