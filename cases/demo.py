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

# Closed families with programme work and outcomes, for the statistics and the national return:
# DEMO-9001 upwards, apart from the numbered families so `--families N` does not move them.
OUTCOME_COHORT_START = 9001
OUTCOME_COHORT_SIZE = 12


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
    referral, adults, children = _create_household(
        reference=reference, demo_team=demo_team, worker=worker, received_on=received_on, rng=rng, today=today
    )
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


def _create_household(*, reference, demo_team, worker, received_on, rng, today, youngest_age=None):
    """A referral and the household it is about: one or two adults and one to four children.

    `youngest_age` adds a child of that age (at the referral) first, so the family has a dependent child.
    """
    family_number = int(reference.removeprefix(DEMO_REFERENCE_PREFIX))
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
    ages = [rng.choice([0, 2, 5, 8, 11, 13, 15, 16, 17, 19, 21, 24]) for _ in range(rng.randint(1, 4))]
    if youngest_age is not None:
        ages = [youngest_age, *ages[:2]]
    for age_at_referral in ages:
        send = age_at_referral > 19 or rng.random() < 0.2
        child = PersonFactory.build(
            family_name=surname,
            date_of_birth=received_on - relativedelta(years=age_at_referral, days=rng.randint(1, 300)),
            has_send=send,
            has_ehc_plan=send and (age_at_referral > 19 or rng.random() < 0.5),
        )
        role = Membership.Role.CHILD if child.age_on(today) < 16 else Membership.Role.YOUNG_PERSON
        children.append(_add(family, child, role, max(joined, child.date_of_birth), worker))
    regular = family_number < OUTCOME_COHORT_START
    if regular and family_number % 5 == 0 and scenario_for(family_number) in ("open", "reopened"):
        unborn = PersonFactory.build(
            family_name=surname, date_of_birth=None, expected_date_of_birth=today + relativedelta(months=3)
        )
        _add(family, unborn, Membership.Role.CHILD, received_on, worker)
    return referral, adults, children


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


# --- Closed families with outcomes: the analyst's statistics and the national return (SPEC §6.4) ---

# Every cohort family has "crime" identified (the statistics page's focus) and two or three other needs.
COHORT_FOCUS = "crime"


def seed_outcome_cohort(*, size: int, teams: list[DemoTeam], today: date) -> tuple[int, int]:
    """Closed families DEMO-9001.. with agreed assessments, plans and outcomes; returns (created, present).

    Their support ended in the last complete financial year, at least seven months ago, so the
    six-month sustain period has passed: most outcomes were sustained, some not (the figures then
    show rates, and the small cells show as suppressed under the disclosure-control rules).
    """
    existing = set(
        Family.objects.filter(reference__startswith=DEMO_REFERENCE_PREFIX).values_list("reference", flat=True)
    )
    created = 0
    for index in range(size):
        number = OUTCOME_COHORT_START + index
        reference = demo_reference(number)
        if reference in existing:
            continue
        with transaction.atomic():
            _create_cohort_family(number=number, index=index, reference=reference, teams=teams, today=today)
        created += 1
    return created, size - created


def _cohort_closed_on(index: int, today: date) -> date:
    """Spread over the last complete financial year (April to March), never within the last 7 months."""
    year = today.year if today.month >= 4 else today.year - 1  # the current financial year
    last_year_start = date(year - 1, 4, 1)
    return min(last_year_start + relativedelta(months=index % 12, days=10), today - relativedelta(months=7))


def _create_cohort_family(*, number: int, index: int, reference: str, teams: list[DemoTeam], today: date):
    from cases.models import HeadlineOutcome
    from cases.programme import services as programme
    from cases.programme.selectors import framework_for_case

    rng = random.Random(f"fss-demo-{number}")  # noqa: S311 - synthetic data, not security
    factory.random.reseed_random(f"fss-demo-{number}")
    demo_team = teams[index % len(teams)]
    worker = demo_team.workers[0]
    manager = demo_team.manager
    closed_on = _cohort_closed_on(index, today)
    opened_on = closed_on - relativedelta(months=rng.randint(7, 10))
    received_on = opened_on - relativedelta(days=3)
    referral, adults, children = _create_household(
        reference=reference,
        demo_team=demo_team,
        worker=worker,
        received_on=received_on,
        rng=rng,
        today=today,
        youngest_age=rng.choice([3, 6, 9, 12]),
    )
    case = services.decide_referral(
        referral=referral, decision=Referral.Decision.ACCEPT, decided_on=opened_on, by=worker
    )
    give_agreement(family=case.family, person=adults[0], by=worker, on=opened_on)

    framework = framework_for_case(case, opened_on)
    outcomes = list(framework.headline_outcomes.order_by("order"))
    focus = HeadlineOutcome.objects.get(framework=framework, code=COHORT_FOCUS)
    others = [o for o in outcomes if o.code != COHORT_FOCUS]
    chosen = [focus, *rng.sample(others, k=rng.choice([2, 3]))]
    assessed_on = opened_on + relativedelta(days=14)
    assessment = programme.record_assessment(
        case=case,
        assessed_on=assessed_on,
        is_whole_family=True,
        needs=[
            programme.NeedAnswer(
                outcome, True, f"Demo data: evidence of a need about {outcome.title.lower()}."
            )
            for outcome in chosen
        ],
        by=worker,
    )
    programme.submit_assessment(assessment=assessment, by=worker)
    if manager is not None:
        programme.approve_assessment(assessment=assessment, by=manager, comment="Evidence is clear.")
    starts_on = assessed_on + relativedelta(days=7)
    plan = programme.create_plan(
        case=case, starts_on=starts_on, goals="Demo data: every need met and the change lasting.", by=worker
    )
    for number_in_plan, outcome in enumerate(chosen):
        programme.add_plan_action(
            plan=plan,
            details=programme.ActionDetails(
                description=f"Work with the family on {outcome.title.lower()}",
                due_on=starts_on + relativedelta(days=28 * (number_in_plan + 1)),
                need=outcome,
                owner=worker,
            ),
            by=worker,
        )
    programme.submit_plan(plan=plan, by=worker)
    if manager is not None:
        programme.approve_plan(plan=plan, by=manager, comment="Agreed.")
    services.close_case(case=case, closed_on=closed_on, reason=Case.ClosureReason.NEEDS_MET, by=worker)

    # Outcomes, recorded after closure as the service follows up: achieved before closure and shown
    # to last six months after it. Crime always lasted (so its rate can be published: no small
    # complement); another need did not in every third family, so "every need" is suppressed.
    sustained_until = min(closed_on + relativedelta(months=6, days=14), today)
    for position, outcome in enumerate(chosen):
        lasted = not (position == 2 and index % 3 == 2)
        programme.record_outcome(
            case=case,
            need=outcome,
            progress="achieved" if lasted else "some",
            progress_note="Demo data: confirmed by the partner agency at follow-up."
            if lasted
            else "Demo data: some progress, not yet lasting.",
            achieved_on=closed_on - relativedelta(days=20) if lasted else None,
            sustained_until=sustained_until if lasted else None,
            by=worker,
        )


# --- Work waiting for someone: what each demo user finds on signing in ---

# Open families: 1 and 13 are the North caseworker's, 8 the South worker's (all within 14 families).
CLOSURE_FAMILY, IMPORT_FAMILY, CONSENT_REVIEW_FAMILY = 13, 8, 1
BREAK_GLASS_FAMILY, HOLD_FAMILY = 1, 2  # a North family the South worker breaks glass on; a kept closed one
IMPORT_SOURCE = "Oakfield Academy and youth offending service (demo)"


def _demo_family(number: int) -> Family | None:
    return Family.objects.filter(reference=demo_reference(number)).first()


def _open_case(family: Family | None) -> Case | None:
    return family.cases.filter(status=Case.Status.OPEN).first() if family else None


def seed_waiting_work(*, teams: list[DemoTeam], today: date) -> tuple[int, int]:
    """A closure for the manager to approve, a committed import, a consent review due, a break-glass
    access and a legal hold for the DPO. Each is skipped when already there, or when `--families` was
    too small for its family. Returns (created, present)."""
    from fss.core.models import User

    north = next(t for t in teams if t.manager is not None and t.workers[0].username == "caseworker")
    south = next(t for t in teams if t is not north)
    dpo = User.objects.get(username="dpo")
    steps = [
        lambda: _closure_awaiting_approval(north, today),
        lambda: _committed_import(south, today),
        lambda: _consent_review_due(north, today),
        lambda: _break_glass(south),
        lambda: _legal_hold(dpo, today),
    ]
    created = present = 0
    for step in steps:
        with transaction.atomic():
            made = step()
        if made is True:
            created += 1
        elif made is False:
            present += 1
    return created, present


def _closure_awaiting_approval(team: DemoTeam, today: date):
    from cases.models import ClosureRequest

    case = _open_case(_demo_family(CLOSURE_FAMILY))
    if case is None:
        return None
    if case.closure_requests.filter(status=ClosureRequest.Status.PENDING).exists():
        return False
    if not services.closure_needs_approval(case.family):
        return None  # the team switched approval off: the demo does not change its settings
    services.submit_closure(
        case=case,
        closed_on=today,
        reason=Case.ClosureReason.NEEDS_MET,
        note="Demo data: the plan's goals are met and the family agree support can end.",
        by=team.workers[0],
    )
    return True


def _committed_import(team: DemoTeam, today: date):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import imports
    from cases.models import ExternalDataImport, ExternalDataKind

    family = _demo_family(IMPORT_FAMILY)
    if family is None or team.manager is None:
        return None
    if ExternalDataImport.objects.filter(source_organisation=IMPORT_SOURCE).exists():
        return False
    address = family.addresses.filter(end_date__isnull=True).order_by("-pk").first()
    children = [
        m.person
        for m in family.memberships.filter(end_date__isnull=True)
        .exclude(role=Membership.Role.PARENT_CARER)
        .exclude(person__date_of_birth=None)
        .select_related("person")
        .order_by("person__date_of_birth")
    ]
    if not children or address is None:
        return None
    term_start = today - relativedelta(months=3)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "given_name",
            "family_name",
            "date_of_birth",
            "postcode",
            "kind",
            "period_start",
            "period_end",
            "measure",
            "value",
        ]
    )  # noqa: E501
    for child in children:
        dob, post = child.date_of_birth.isoformat(), address.postcode
        names = [child.given_name, child.family_name, dob, post]
        writer.writerow(
            [*names, "attendance", term_start.isoformat(), today.isoformat(), "Attendance %", "84"]
        )
        writer.writerow(
            [*names, "offending", (today - relativedelta(months=2)).isoformat(), "", "Offences", "0"]
        )
    upload = SimpleUploadedFile("demo-attendance-and-offending.csv", out.getvalue().encode(), "text/csv")
    imp = imports.start_import(
        file=upload,
        kind=ExternalDataKind.ATTENDANCE,
        source_organisation=IMPORT_SOURCE,
        received_on=today,
        team=team.team,
        by=team.manager,
    )
    imports.request_commit(imp=imp, by=team.manager)
    return True


def _consent_review_due(team: DemoTeam, today: date):
    from consent.models import ConsentRecord
    from consent.services import record_consent

    family = _demo_family(CONSENT_REVIEW_FAMILY)
    if _open_case(family) is None:
        return None
    if ConsentRecord.objects.filter(family=family, review_on__isnull=False).exists():
        return False
    adult = (
        family.memberships.filter(end_date__isnull=True, role=Membership.Role.PARENT_CARER)
        .order_by("pk")
        .first()
        .person
    )
    record_consent(
        person=adult,
        family=family,
        purpose="record",
        decision=ConsentRecord.Decision.GIVEN,
        decided_by=adult,
        capacity=ConsentRecord.Capacity.SELF,
        method="verbal",
        decided_on=today - relativedelta(days=7),
        review_on=today + relativedelta(days=14),
        note="Demo data: agreed again at the review; to be checked at the next one.",
        by=team.workers[0],
    )
    return True


def _break_glass(team: DemoTeam):
    from cases.models import BreakGlassAccess

    family = _demo_family(BREAK_GLASS_FAMILY)
    if family is None:
        return None
    worker = team.workers[0]
    if BreakGlassAccess.objects.filter(family=family, user=worker).exists():
        return False
    services.open_break_glass(
        family=family,
        by=worker,
        reason="Demo data: out-of-hours call from the police about this family; their worker was away.",
    )
    return True


def _legal_hold(dpo, today: date):
    from retention.models import LegalHold
    from retention.services import place_hold

    family = _demo_family(HOLD_FAMILY)
    if family is None:
        return None
    if LegalHold.objects.filter(family=family).exists():
        return False
    place_hold(
        by=dpo,
        family=family,
        reason=LegalHold.Reason.COMPLAINT,
        review_on=today + relativedelta(days=10),
        details="Demo data: a complaint about this family's support is under investigation.",
    )
    return True
