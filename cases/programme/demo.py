"""Synthetic programme records for seed_demo: an assessment, a plan, a review and outcomes.

Built through the same services a caseworker uses, so the demo obeys every
rule (the consent gate, dates, approval). Call it for an open case whose family
has agreed to work with the service, before the demo closes the case.
"""

import random
from datetime import date, timedelta

from cases.models import Case
from cases.programme import services
from cases.programme.selectors import framework_for_case

EVIDENCE = {
    "education": "School reports attendance of 78% this term and two fixed-term exclusions.",
    "early_years": "Health visitor's two-year review: speech and language delay.",
    "health": "Parent describes low mood; GP letter confirms anxiety treatment.",
    "substance_use": "Parent says alcohol use has increased since losing work.",
    "family_relationships": "Frequent arguments between parent and eldest child, seen on visits.",
    "child_safety": "Police report: eldest child missing overnight twice this month.",
    "crime": "Youth offending service: eldest child cautioned for criminal damage.",
    "domestic_abuse": "Police notification of a domestic incident at the home.",
    "housing": "Section 21 notice seen; the tenancy ends in eight weeks.",
    "financial_stability": "Rent arrears of £1,200 and a court summons for council tax.",
}


def seed_programme(*, case: Case, worker, manager=None, rng: random.Random, today: date) -> None:
    """Assess three or four needs, agree a plan with a partner-owned action, review it, record progress.

    With a `manager` (not the worker), the assessment and plan are approved too.
    """
    framework = framework_for_case(case, today)
    outcomes = list(framework.headline_outcomes.order_by("order"))
    chosen = rng.sample(outcomes, k=rng.choice([3, 3, 4]))
    assessed_on = min(case.opened_on + timedelta(days=14), today)
    assessment = services.record_assessment(
        case=case,
        assessed_on=assessed_on,
        is_whole_family=True,
        needs=[
            services.NeedAnswer(
                outcome, True, EVIDENCE.get(outcome.code, f"Concern about {outcome.title.lower()}.")
            )
            for outcome in chosen
        ],
        by=worker,
    )
    services.submit_assessment(assessment=assessment, by=worker)
    if manager is not None and manager != worker:
        services.approve_assessment(assessment=assessment, by=manager, comment="Evidence is clear.")

    starts_on = min(assessed_on + timedelta(days=7), today)
    plan = services.create_plan(
        case=case,
        starts_on=starts_on,
        goals="Children in school every day, a safe and settled home, money under control.",
        by=worker,
    )
    for number, outcome in enumerate(chosen):
        partner = number == 1  # Team Around the Family: one action owned by a partner practitioner
        services.add_plan_action(
            plan=plan,
            details=services.ActionDetails(
                description=f"Agree next steps on {outcome.title.lower()} with the family",
                due_on=starts_on + timedelta(days=28 * (number + 1)),
                need=outcome,
                owner=None if partner else worker,
                partner_name="Jo Patel" if partner else "",
                partner_organisation="Northtown Housing Association" if partner else "",
                partner_role="Tenancy support officer" if partner else "",
            ),
            by=worker,
        )
    services.submit_plan(plan=plan, by=worker)
    if manager is not None and manager != worker:
        services.approve_plan(plan=plan, by=manager, comment="Agreed.")

    held_on = min(starts_on + timedelta(days=42), today)
    if held_on > starts_on:
        services.record_review(
            case=case,
            held_on=held_on,
            attendees="Parent; family support worker; school; housing officer",
            summary="Attendance improving; housing application under way.",
            next_review_on=held_on + timedelta(days=90),
            by=worker,
        )
    achieved_on = min(starts_on + timedelta(days=60), today)
    services.record_outcome(
        case=case,
        need=chosen[0],
        progress="achieved",
        progress_note="Sustained improvement seen and confirmed by the partner agency.",
        achieved_on=achieved_on,
        by=worker,
    )
