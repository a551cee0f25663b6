"""Meets the criteria, and the successful family outcome (SPEC §4.3, domain-rules §6).

The rules read what was recorded (factories set the scene); the services that
record it are tested in test_programme_services.py.
"""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from cases.factories import (
    NOTICE_FRAMEWORK,
    AssessmentFactory,
    CaseFactory,
    FamilyFactory,
    MembershipFactory,
    OutcomeFactory,
    PersonFactory,
    PlanActionFactory,
    PlanFactory,
    framework,
)
from cases.models import ApprovalStatus, AssessmentNeed, Case, Membership, Outcome
from cases.programme.selectors import meets_criteria, successful_family_outcome
from fss.core.factories import UserFactory

pytestmark = pytest.mark.django_db

NEEDS = ("education", "housing", "financial_stability")
CLOSED_ON = date(2025, 1, 15)
SUSTAIN_UNTIL = date(2025, 7, 15)  # six months after closure


def need(code, fw=None):
    return (fw or framework()).headline_outcomes.get(code=code)


def family_with_child(*, child_born=date(2015, 5, 1)):
    family = FamilyFactory()
    MembershipFactory(
        family=family,
        role=Membership.Role.CHILD,
        person=PersonFactory(date_of_birth=child_born),
        start_date=date(2020, 1, 1),
    )
    return family


def successful_case(*, closed_on=CLOSED_ON, needs=NEEDS) -> Case:
    """A closed case that meets every condition once six months have passed."""
    sustain_until = closed_on + relativedelta(months=6)
    case = CaseFactory(
        family=family_with_child(),
        opened_on=closed_on - relativedelta(months=8),
        closed=True,
        closed_on=closed_on,
        lead_worker=UserFactory(),
    )
    AssessmentFactory(case=case, identified=list(needs))
    plan = PlanFactory(case=case)
    for code in needs:
        PlanActionFactory(plan=plan, need=need(code))
        OutcomeFactory(
            case=case,
            need=need(code),
            achieved_on=closed_on - relativedelta(months=1),
            sustained_until=sustain_until,
        )
    return case


class TestMeetsCriteria:
    @pytest.mark.parametrize(
        ("identified", "meets"),
        [([], False), (["education"], False), (["education", "housing"], False), (list(NEEDS), True)],
    )
    def test_current_framework_needs_three_headline_outcomes(self, identified, meets):
        case = CaseFactory(opened_on=date(2025, 1, 6))
        AssessmentFactory(case=case, identified=identified)
        result = meets_criteria(case, date(2025, 2, 1))
        assert result.meets is meets
        assert (result.threshold, len(result.identified)) == (3, len(identified))

    @pytest.mark.parametrize(
        ("identified", "meets"),
        [(["school_attendance"], False), (["school_attendance", "crime_asb"], True)],
    )
    def test_notice_phase_needs_two_headline_problems(self, identified, meets):
        case = CaseFactory(opened_on=date(2019, 5, 1))
        AssessmentFactory(case=case, framework=framework(NOTICE_FRAMEWORK), identified=identified)
        result = meets_criteria(case, date(2019, 6, 1))
        assert result.meets is meets
        assert result.threshold == 2
        assert "at least 2" in result.explanation

    @pytest.mark.parametrize(
        ("status", "needs_approval", "counts"),
        [
            (ApprovalStatus.DRAFT, False, False),
            (ApprovalStatus.SUBMITTED, True, False),  # waiting for the manager
            (ApprovalStatus.SUBMITTED, False, True),  # the team does not ask for approval
            (ApprovalStatus.APPROVED, True, True),
        ],
    )
    def test_only_agreed_assessments_count(self, status, needs_approval, counts):
        case = CaseFactory(opened_on=date(2025, 1, 6))
        AssessmentFactory(case=case, identified=list(NEEDS), status=status, needs_approval=needs_approval)
        assert meets_criteria(case, date(2025, 2, 1)).meets is counts

    def test_needs_identified_after_the_date_asked_about_do_not_count(self):
        case = CaseFactory(opened_on=date(2025, 1, 6))
        AssessmentFactory(case=case, identified=["education", "housing"])
        later = AssessmentFactory(case=case, assessed_on=date(2025, 3, 1), identified=["financial_stability"])
        assert not meets_criteria(case, date(2025, 2, 28))
        assert meets_criteria(case, later.assessed_on)

    def test_for_a_family_the_case_open_on_the_date_is_judged(self):
        family = FamilyFactory()
        old = CaseFactory(family=family, opened_on=date(2023, 1, 2), closed=True, closed_on=date(2023, 9, 1))
        AssessmentFactory(case=old, identified=list(NEEDS))
        CaseFactory(family=family, opened_on=date(2025, 1, 6))
        assert meets_criteria(family, date(2023, 6, 1))
        assert not meets_criteria(family, date(2025, 2, 1))

    def test_a_family_with_no_case_does_not_meet_the_criteria(self):
        result = meets_criteria(FamilyFactory(), date(2025, 2, 1))
        assert not result.meets
        assert result.threshold == 3


def _drop_child(case):
    case.family.memberships.all().delete()
    MembershipFactory(family=case.family, role=Membership.Role.PARENT_CARER, person=PersonFactory(age=40))


def _expectant_parents(case):
    _drop_child(case)
    MembershipFactory(
        family=case.family,
        role=Membership.Role.CHILD,
        person=PersonFactory(date_of_birth=None, expected_date_of_birth=date(2025, 3, 1)),
        start_date=date(2024, 9, 1),
    )


def _two_needs_only(case):
    AssessmentNeed.objects.filter(headline_outcome__code="housing").update(
        identified=False, identified_on=None
    )


def _one_need_without_evidence(case):
    AssessmentNeed.objects.filter(headline_outcome__code="housing").update(evidence="")


def _no_lead(case):
    Case.objects.filter(pk=case.pk).update(lead_worker=None)


def _not_whole_family(case):
    case.assessments.update(is_whole_family=False)


def _plan_misses_a_need(case):
    case.plans.get().actions.filter(need__code="housing").delete()


def _plan_action_cancelled(case):
    case.plans.get().actions.filter(need__code="housing").update(status="cancelled")


def _plan_awaiting_approval(case):
    case.plans.update(status=ApprovalStatus.SUBMITTED)


def _outcome_slipped_back(case):
    OutcomeFactory(
        case=case,
        need=need("housing"),
        progress=Outcome.Progress.SOME,
        achieved_on=None,
        recorded_on=SUSTAIN_UNTIL,
    )


def _need_found_later(case):
    # A fourth need found in a later assessment, with nothing planned or achieved for it yet.
    AssessmentFactory(case=case, assessed_on=case.opened_on + timedelta(days=60), identified=["health"])


def _still_open(case):
    Case.objects.filter(pk=case.pk).update(status="open", closed_on=None, closure_reason="")


def _sustained_a_day_short(case):
    case.outcomes.filter(need__code="housing").update(sustained_until=SUSTAIN_UNTIL - timedelta(days=1))


def _sustained_date_missing(case):
    case.outcomes.filter(need__code="housing").update(sustained_until=None)


@pytest.mark.parametrize(
    ("change", "unmet"),
    [
        (lambda case: None, set()),
        (_expectant_parents, set()),
        (_drop_child, {"dependent_children"}),
        (_two_needs_only, {"needs_identified"}),
        (_one_need_without_evidence, {"needs_identified", "needs_evidenced"}),
        (_no_lead, {"lead_practitioner"}),
        (_not_whole_family, {"whole_family_assessment"}),
        (_plan_misses_a_need, {"plan_covers_needs"}),
        (_plan_action_cancelled, {"plan_covers_needs"}),
        (_plan_awaiting_approval, {"plan_covers_needs"}),
        (_outcome_slipped_back, {"positive_outcomes"}),
        (_need_found_later, {"plan_covers_needs", "positive_outcomes"}),
        (_still_open, {"case_closed"}),
        (_sustained_a_day_short, {"outcomes_sustained"}),
        (_sustained_date_missing, {"outcomes_sustained"}),
    ],
    ids=lambda value: getattr(value, "__name__", None) if callable(value) else None,
)
def test_successful_family_outcome_checks_every_condition(change, unmet):
    case = successful_case()
    change(case)
    check = successful_family_outcome(Case.objects.get(pk=case.pk), SUSTAIN_UNTIL + timedelta(days=1))
    assert check.unmet_codes == unmet
    assert check.successful is (not unmet)
    assert all(condition.message.endswith(".") for condition in check.unmet)


def test_unmet_conditions_are_plain_english():
    case = successful_case()
    _no_lead(case)
    _plan_misses_a_need(case)
    check = successful_family_outcome(Case.objects.get(pk=case.pk), SUSTAIN_UNTIL)
    assert [str(condition) for condition in check.unmet] == [
        "The case has no lead practitioner.",
        "The family plan has no action for: Secure housing.",
    ]


def test_a_claim_waits_until_six_months_after_closure():
    case = successful_case()
    before = successful_family_outcome(case, SUSTAIN_UNTIL - timedelta(days=1))
    assert "sustain_period_reached" in before.unmet_codes
    assert "15 July 2025" in str(next(c for c in before.unmet if c.code == "sustain_period_reached"))
    assert successful_family_outcome(case, SUSTAIN_UNTIL).successful


@pytest.mark.parametrize(
    ("closed_on", "six_months_later"),
    [
        (date(2024, 2, 29), date(2024, 8, 29)),  # leap day
        (date(2023, 8, 31), date(2024, 2, 29)),  # into a leap February
        (date(2024, 8, 31), date(2025, 2, 28)),  # into a common February
        (date(2024, 3, 31), date(2024, 9, 30)),  # into a 30-day month
        (date(2023, 12, 31), date(2024, 6, 30)),  # across the year end
        (date(2024, 1, 15), date(2024, 7, 15)),
    ],
)
def test_sustain_period_across_month_ends_and_leap_day(closed_on, six_months_later):
    case = successful_case(closed_on=closed_on)
    check = successful_family_outcome(case, six_months_later)
    assert check.successful, check.unmet
    assert check.sustain_until == six_months_later
    assert (
        "sustain_period_reached"
        in successful_family_outcome(case, six_months_later - timedelta(days=1)).unmet_codes
    )
    case.outcomes.filter(need__code="education").update(sustained_until=six_months_later - timedelta(days=1))
    assert successful_family_outcome(case, six_months_later).unmet_codes == {"outcomes_sustained"}


def test_sustain_period_comes_from_the_framework():
    case = successful_case()
    fw = framework()
    fw.sustain_months = 9
    fw.save()
    check = successful_family_outcome(case, SUSTAIN_UNTIL + timedelta(days=1))
    assert check.sustain_until == date(2025, 10, 15)
    assert check.unmet_codes == {"sustain_period_reached", "outcomes_sustained"}
    assert "9 months" in str(check.unmet[0])
