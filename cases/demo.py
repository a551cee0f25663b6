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

from cases.factories import (
    CaseFactory,
    FamilyAddressFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
)
from cases.models import Case, Family, Membership

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


def demo_reference(number: int) -> str:
    return f"{DEMO_REFERENCE_PREFIX}{number:04d}"


def scenario_for(number: int) -> str:
    return SCENARIOS[(number - 1) % len(SCENARIOS)]


def seed_families(*, count: int, teams: list[DemoTeam], today: date) -> tuple[int, int]:
    """Create demo families DEMO-0001..DEMO-<count> that do not exist yet.

    Returns (created, already present). Each family is created in its own transaction.
    """
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
    return created, count - created


def _create_family(*, number: int, reference: str, teams: list[DemoTeam], today: date) -> None:
    rng = random.Random(f"fss-demo-{number}")  # noqa: S311 - synthetic data, not security
    factory.random.reseed_random(f"fss-demo-{number}")
    demo_team = teams[(number - 1) % len(teams)]
    worker = demo_team.workers[(number - 1) % len(demo_team.workers)]
    family = FamilyFactory(reference=reference, team=demo_team.team, lead_worker=worker)
    FamilyAddressFactory(family=family, start_date=today - relativedelta(years=rng.randint(1, 9)))
    surname = PersonFactory.build().family_name

    joined = today - relativedelta(years=10)
    for _ in range(rng.choice([1, 2, 2])):
        adult = PersonFactory(family_name=surname, age=rng.randint(22, 52))
        MembershipFactory(
            person=adult,
            family=family,
            role=Membership.Role.PARENT_CARER,
            has_parental_responsibility=True,
            start_date=joined,
        )
    for _ in range(rng.randint(1, 4)):
        age = rng.choice([0, 2, 5, 8, 11, 13, 15, 16, 17, 19, 21, 24])
        send = age > 19 or rng.random() < 0.2
        child = PersonFactory(
            family_name=surname,
            age=age,
            has_send=send,
            has_ehc_plan=send and (age > 19 or rng.random() < 0.5),
        )
        MembershipFactory(
            person=child,
            family=family,
            role=Membership.Role.CHILD if age < 16 else Membership.Role.YOUNG_PERSON,
            start_date=max(joined, child.date_of_birth),
        )
    if number % 5 == 0:
        unborn = PersonFactory(
            family_name=surname,
            date_of_birth=None,
            expected_date_of_birth=today + relativedelta(months=3),
        )
        MembershipFactory(person=unborn, family=family, role=Membership.Role.CHILD, start_date=today)

    _create_cases(family=family, worker=worker, scenario=scenario_for(number), rng=rng, today=today)


def _create_cases(*, family, worker, scenario: str, rng: random.Random, today: date) -> None:
    seven_years_ago = today - relativedelta(years=7)
    if scenario == "open":
        CaseFactory(
            family=family,
            lead_worker=worker,
            opened_on=today - relativedelta(days=rng.randint(5, 200)),
        )
    elif scenario == "closed_recently":
        closed_on = today - relativedelta(days=rng.randint(365, 3 * 365))
        CaseFactory(family=family, lead_worker=worker, closed=True, closed_on=closed_on)
    elif scenario == "due_for_destruction":
        closed_on = seven_years_ago - relativedelta(days=rng.randint(1, 400))
        CaseFactory(family=family, lead_worker=worker, closed=True, closed_on=closed_on)
    elif scenario == "in_notice_window":
        # Closed so that closure + 7 years falls within the next 30 days.
        closed_on = seven_years_ago + relativedelta(days=rng.randint(1, 29))
        CaseFactory(
            family=family,
            lead_worker=worker,
            closed=True,
            closed_on=closed_on,
            closure_reason=Case.ClosureReason.DISENGAGED,
        )
    elif scenario == "reopened":
        CaseFactory(
            family=family,
            lead_worker=worker,
            closed=True,
            closed_on=seven_years_ago - relativedelta(months=2),
        )
        CaseFactory(
            family=family,
            lead_worker=worker,
            opened_on=today - relativedelta(days=rng.randint(5, 90)),
        )
    else:  # pragma: no cover - SCENARIOS is fixed above
        raise ValueError(scenario)
