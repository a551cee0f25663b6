"""Demo entries for the DPO's registers (SPEC §8, §12 seed_demo): subject access, rights and FOI
requests and a data-protection complaint, each in a different state, so the console's RAG rows
have something in them. Never real data: requesters are Faker names, contacts are example.org.

The registers have no create service (the DPO logs requests in the admin), so each entry is
validated and saved as the admin does, with its history user, and the write is access-logged.
Idempotent: each entry is found by its requester contact, which names it as demo data.
"""

import random
from datetime import date

import factory.random
from dateutil.relativedelta import relativedelta
from django.db import transaction
from faker import Faker

from fss.core.models import AccessLogEntry, User
from fss.core.services import log_access
from sar import services
from sar.models import Complaint, FOIRequest, RightsRequest, SubjectAccessRequest

# Open demo families whose adults are the subjects (skipped when `--families` did not create them).
SUBJECT_FAMILIES = (8, 6)


def _contact(slug: str) -> str:
    return f"Demo data: {slug}@example.org"


def _subject(number: int):
    from cases.demo import demo_reference
    from cases.models import Family, Membership

    family = Family.objects.filter(reference=demo_reference(number)).first()
    if family is None:
        return None
    membership = (
        family.memberships.filter(end_date__isnull=True, role=Membership.Role.PARENT_CARER)
        .order_by("pk")
        .first()
    )
    return membership.person if membership else None


def _save(entry, dpo, *, person=None):
    entry.full_clean()
    entry._history_user = dpo
    entry.save()
    log_access(
        by=dpo, record=entry, action=AccessLogEntry.Action.CHANGE, person_id=person.pk if person else None
    )
    return entry


def seed_registers(*, today: date) -> tuple[int, int]:
    """Create the demo register entries that do not exist yet; returns (created, present)."""
    dpo = User.objects.get(username="dpo")
    fake = Faker("en_GB")
    fake.seed_instance("fss-demo-registers")
    factory.random.reseed_random("fss-demo-registers")
    rng = random.Random("fss-demo-registers")  # noqa: S311 - synthetic data, not security
    subjects = [_subject(n) for n in SUBJECT_FAMILIES]
    created = present = 0

    # (slug, received days ago, status, subject index or None, identity asked for, closed days after)
    sars = [
        ("sar-overdue", 40, SubjectAccessRequest.Status.IN_PROGRESS, 0, False, None),
        ("sar-due-this-week", 26, SubjectAccessRequest.Status.IN_PROGRESS, 1, False, None),
        ("sar-on-track", 5, SubjectAccessRequest.Status.RECEIVED, None, False, None),
        ("sar-awaiting-identity", 10, SubjectAccessRequest.Status.AWAITING_IDENTITY, None, True, None),
        ("sar-completed", 60, SubjectAccessRequest.Status.COMPLETED, 0, False, 25),
    ]
    for slug, days_ago, status, subject_index, identity, closed_after in sars:
        if SubjectAccessRequest.objects.filter(requester_contact=_contact(slug)).exists():
            present += 1
            continue
        subject = subjects[subject_index] if subject_index is not None else None
        received = today - relativedelta(days=days_ago)
        name = f"{subject.given_name} {subject.family_name}" if subject else fake.name()
        with transaction.atomic():
            _save(
                SubjectAccessRequest(
                    received_on=received,
                    requester_name=name,
                    requester_contact=_contact(slug),
                    requester_relationship=SubjectAccessRequest.Relationship.SELF,
                    subject=subject,
                    # A completed request names its subject, or says none was found (a small demo).
                    subject_not_found=subject is None and status == SubjectAccessRequest.Status.COMPLETED,
                    channel=rng.choice(["email", "letter", "phone"]),
                    status=status,
                    identity_requested_on=received + relativedelta(days=1) if identity else None,
                    closed_on=received + relativedelta(days=closed_after) if closed_after else None,
                    handled_by=dpo,
                ),
                dpo,
                person=subject,
            )
        created += 1

    with transaction.atomic():
        if SubjectAccessRequest.objects.filter(requester_contact=_contact("sar-paused")).exists():
            present += 1
        else:
            received = today - relativedelta(days=20)
            paused = _save(
                SubjectAccessRequest(
                    received_on=received,
                    requester_name=fake.name(),
                    requester_contact=_contact("sar-paused"),
                    requester_relationship=SubjectAccessRequest.Relationship.SELF,
                    channel="email",
                    status=SubjectAccessRequest.Status.AWAITING_CLARIFICATION,
                    handled_by=dpo,
                ),
                dpo,
            )
            services.record_pause(
                request=paused,
                started_on=received + relativedelta(days=3),
                ended_on=None,
                reason="Demo data: asked which years of records the requester means.",
                by=dpo,
            )
            created += 1

    if RightsRequest.objects.filter(requester_contact=_contact("rights-rectification")).exists():
        present += 1
    else:
        subject = subjects[1] or subjects[0]
        with transaction.atomic():
            _save(
                RightsRequest(
                    kind=RightsRequest.Kind.RECTIFICATION,
                    received_on=today - relativedelta(days=12),
                    requester_name=f"{subject.given_name} {subject.family_name}" if subject else fake.name(),
                    requester_contact=_contact("rights-rectification"),
                    subject=subject,
                    details="Demo data: the date of birth on the family record is wrong by a day.",
                    handled_by=dpo,
                ),
                dpo,
                person=subject,
            )
        created += 1

    if FOIRequest.objects.filter(reply_address=_contact("foi")).exists():
        present += 1
    else:
        with transaction.atomic():
            _save(
                FOIRequest(
                    received_on=today - relativedelta(days=8),
                    requester_type=FOIRequest.RequesterType.MEDIA,
                    requester_name=fake.name(),
                    reply_address=_contact("foi"),
                    request_text="Demo data: how many families did the service support last year, by ward?",
                    handled_by=dpo,
                ),
                dpo,
            )
        created += 1

    if Complaint.objects.filter(complainant_contact=_contact("complaint")).exists():
        present += 1
    else:
        with transaction.atomic():
            _save(
                Complaint(
                    received_on=today - relativedelta(days=3),
                    channel=Complaint.Channel.EMAIL,
                    complainant_name=fake.name(),
                    complainant_contact=_contact("complaint"),
                    recorded_by=dpo,
                    summary="Demo data: says a letter about their family was sent to an old address.",
                    handled_by=dpo,
                ),
                dpo,
            )
        created += 1
    return created, present
