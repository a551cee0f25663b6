"""Synthetic demo families for seed_demo: Faker names, never real people.

Each family's content is derived from its number alone (Faker and the random
generator are seeded with it), so seeding is repeatable and idempotent: family
DEMO-0007 is always the same household, and an existing one is left alone.
"""

import random
from dataclasses import dataclass
from datetime import date

import factory.random
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.factories import FamilyAddressFactory, PersonFactory
from cases.models import Case, Family, Membership, Referral
from cases.programme.demo import seed_programme
from consent.factories import give_agreement
from consent.models import PrivacyNoticeSection, PrivacyNoticeVersion

DEMO_REFERENCE_PREFIX = "DEMO-"

# The case histories the demo must show, in rotation (SPEC §12 seed_demo).
SCENARIOS = [
    "open",  # an open case, recently started
    "closed_recently",  # closed 1–3 years ago: kept
    "due_for_destruction",  # last case closed more than 7 years ago
    "in_notice_window",  # due for destruction within the next 30 days
    "reopened",  # closed once, then reopened: the clock restarted
    "open",
    "closed_recently",
]


@dataclass(frozen=True)
class DemoTeam:
    team: object
    workers: list
    manager: object = None


def demo_reference(number: int) -> str:
    return f"{DEMO_REFERENCE_PREFIX}{number:04d}"


def scenario_for(number: int) -> str:
    return SCENARIOS[(number - 1) % len(SCENARIOS)]


DEMO_PRE_GO_LIVE_NOTICE_FROM = date(2015, 4, 1)


def ensure_pre_go_live_notice() -> PrivacyNoticeVersion:
    """Demo only: the notice families saw before this system, so backdated demo consent has a version.

    A live system records the notice in force before go-live the same way, once,
    when it migrates old records (docs/operations.md); the publish service
    refuses past effective dates, so this is written directly and labelled.
    """
    existing = PrivacyNoticeVersion.objects.filter(effective_from=DEMO_PRE_GO_LIVE_NOTICE_FROM).first()
    if existing is not None:
        return existing
    current = PrivacyNoticeVersion.objects.filter(status=PrivacyNoticeVersion.Status.PUBLISHED).order_by(
        "version"
    )
    source = current.first()
    historic = PrivacyNoticeVersion.objects.create(
        version=(PrivacyNoticeVersion.objects.order_by("-version").first().version + 1),
        status=PrivacyNoticeVersion.Status.PUBLISHED,
        effective_from=DEMO_PRE_GO_LIVE_NOTICE_FROM,
        published_at=timezone.now(),
        title=source.title,
        summary=source.summary,
        change_summary="Demo data: stands for the notice families were shown before this system went live.",
    )
    PrivacyNoticeSection.objects.bulk_create(
        PrivacyNoticeSection(version=historic, position=s.position, heading=s.heading, body=s.body)
        for s in source.sections.all()
    )
    return historic


def seed_families(*, count: int, teams: list[DemoTeam], today: date) -> tuple[int, int]:
    """Create demo families DEMO-0001..DEMO-<count> that do not exist yet.

    Returns (created, already present). Each family is created in its own transaction.
    """
    ensure_pre_go_live_notice()
    existing = set(
        Family.objects.filter(reference__startswith=DEMO_REFERENCE_PREFIX).values_list("reference", flat=True)
    )
    created = 0
    for number in range(1, count + 1):
        reference = demo_reference(number)
        if reference in existing:
            continue
        with transaction.atomic():
            _create_family(number=number, reference=reference, teams=teams, today=today)
        created += 1
    _list_due_demo_families(today=today)
    return created, count - created


def _list_due_demo_families(*, today: date) -> None:
    """List the overdue demo families as if the nightly sweep had run a month ago.

    The sweep destroys only what was listed for the whole notice period (SPEC §7), so
    without this a newcomer would wait 30 days to watch `retention_sweep` work.
    Families inside the notice window stay unlisted until a real sweep lists them.
    """
    from retention.services import record_notices

    demo = Family.objects.filter(reference__startswith=DEMO_REFERENCE_PREFIX).values_list("pk", flat=True)
    record_notices(on=today - relativedelta(days=31), family_ids=list(demo))


NOTE_TEXTS = [
    "Home visit. Talked through the plan; the family engaged well.",
    "Phone call with school about attendance this week.",
    "Team Around the Family meeting; actions agreed with school and health visitor.",
    "Visit cancelled by the family; rearranged for next week.",
]
REFERRAL_REASONS = [
    "Attendance has fallen below 80% this term.",
    "Police notification after an incident at home.",
    "Health visitor concerned about the baby's weight and parental stress.",
    "Family asked for help with housing and debt.",
]


def _create_family(*, number: int, reference: str, teams: list[DemoTeam], today: date) -> None:
    """One household, built through the same services a caseworker uses, so the demo obeys every rule."""
    rng = random.Random(f"fss-demo-{number}")  # noqa: S311 - synthetic data, not security
    factory.random.reseed_random(f"fss-demo-{number}")
    demo_team = teams[(number - 1) % len(teams)]
    worker = demo_team.workers[(number - 1) % len(demo_team.workers)]
    scenario = scenario_for(number)
    received_on = _received_on(scenario=scenario, rng=rng, today=today)

    address = FamilyAddressFactory.build()
    referral = services.record_referral(
        team=demo_team.team,
        received_on=received_on,
        source=rng.choice(["school", "police", "health", "self"]),
        reason=rng.choice(REFERRAL_REASONS),
        address={"line_1": address.line_1, "town": address.town, "postcode": address.postcode},
        by=worker,
    )
    family = referral.family
    family.reference = reference
    family.save(update_fields=["reference"])
    services.allocate_family(family=family, team=demo_team.team, lead_worker=worker, by=worker)

    surname = PersonFactory.build().family_name
    joined = received_on - relativedelta(years=3)
    adults = []
    for _ in range(rng.choice([1, 2, 2])):
        adult = PersonFactory.build(family_name=surname, age=rng.randint(22, 52))
        adults.append(_add(family, adult, Membership.Role.PARENT_CARER, joined, worker, pr=True))
    children = []
    # Ages chosen as they were at the referral date, so every demo family was eligible then.
    for _ in range(rng.randint(1, 4)):
        age_at_referral = rng.choice([0, 2, 5, 8, 11, 13, 15, 16, 17, 19, 21, 24])
        send = age_at_referral > 19 or rng.random() < 0.2
        child = PersonFactory.build(
            family_name=surname,
            date_of_birth=received_on - relativedelta(years=age_at_referral, days=rng.randint(1, 300)),
            has_send=send,
            has_ehc_plan=send and (age_at_referral > 19 or rng.random() < 0.5),
        )
        role = Membership.Role.CHILD if child.age_on(today) < 16 else Membership.Role.YOUNG_PERSON
        children.append(_add(family, child, role, max(joined, child.date_of_birth), worker))
    if number % 5 == 0 and scenario in ("open", "reopened"):
        unborn = PersonFactory.build(
            family_name=surname, date_of_birth=None, expected_date_of_birth=today + relativedelta(months=3)
        )
        _add(family, unborn, Membership.Role.CHILD, received_on, worker)

    case = services.decide_referral(
        referral=referral,
        decision=Referral.Decision.ACCEPT,
        decided_on=received_on + relativedelta(days=3),
        by=worker,
    )
    _follow_scenario(
        case=case,
        scenario=scenario,
        adults=adults,
        people=adults + children,
        worker=worker,
        manager=demo_team.manager,
        rng=rng,
        today=today,
    )


def _add(family, person, role, start_date, worker, *, pr=False):
    fields = {
        name: getattr(person, name)
        for name in (
            "given_name",
            "family_name",
            "date_of_birth",
            "expected_date_of_birth",
            "has_send",
            "has_ehc_plan",
        )
    }
    membership = services.add_member(
        family=family,
        role=role,
        start_date=start_date,
        person_fields=fields,
        has_parental_responsibility=pr,
        by=worker,
    )
    return membership.person


def _received_on(*, scenario: str, rng: random.Random, today: date) -> date:
    seven_years_ago = today - relativedelta(years=7)
    if scenario == "open":
        return today - relativedelta(days=rng.randint(30, 200))
    if scenario == "closed_recently":
        return today - relativedelta(days=rng.randint(3 * 365, 4 * 365))
    if scenario == "due_for_destruction":
        return seven_years_ago - relativedelta(days=rng.randint(200, 600))
    if scenario == "in_notice_window":
        return seven_years_ago - relativedelta(months=8)
    if scenario == "reopened":
        return seven_years_ago - relativedelta(years=1)
    raise ValueError(scenario)  # pragma: no cover - SCENARIOS is fixed above


def _follow_scenario(*, case, scenario, adults, people, worker, manager, rng, today) -> None:
    seven_years_ago = today - relativedelta(years=7)
    if scenario in ("open", "reopened"):
        if scenario == "reopened":
            services.close_case(
                case=case,
                closed_on=seven_years_ago - relativedelta(months=2),
                reason=Case.ClosureReason.NEEDS_MET,
                by=worker,
            )
            services.reopen_case(
                case=case,
                reopened_on=today - relativedelta(days=rng.randint(5, 60)),
                note="Family asked for help again.",
                by=worker,
            )
        events = list(case.events.all())
        started = events[-1].on if events else case.opened_on
        give_agreement(family=case.family, person=adults[0], by=worker, on=started)
        if scenario == "open":
            # The programme demo dates its work from the case's opening.
            seed_programme(case=case, worker=worker, manager=manager, rng=rng, today=today)
        for text in rng.sample(NOTE_TEXTS, k=2):
            services.add_note(
                case=case,
                kind=rng.choice(["visit", "phone", "meeting"]),
                occurred_on=started + relativedelta(days=rng.randint(1, max(1, (today - started).days))),
                text=text,
                is_opinion="engaged" in text,
                people_present=people[:2],
                by=worker,
            )
        return
    if scenario == "closed_recently":
        closed_on = today - relativedelta(days=rng.randint(365, 3 * 365))
        reason = Case.ClosureReason.NEEDS_MET
    elif scenario == "due_for_destruction":
        closed_on = seven_years_ago - relativedelta(days=rng.randint(1, 150))
        reason = Case.ClosureReason.NEEDS_MET
    else:  # in_notice_window: closure + 7 years falls within the next 30 days
        closed_on = seven_years_ago + relativedelta(days=rng.randint(1, 29))
        reason = Case.ClosureReason.DISENGAGED
    services.close_case(case=case, closed_on=closed_on, reason=reason, by=worker)
