"""Recording assessments, plans, reviews and outcomes: the consent gate, approvals, bad input.

SPEC §4.1, §4.3, §5.2; domain-rules §6.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.factories import (
    NOTICE_FRAMEWORK,
    AssessmentFactory,
    CaseFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    PlanActionFactory,
    PlanFactory,
    TeamApprovalSettingFactory,
    framework,
)
from cases.models import ApprovalEvent, ApprovalStatus, Assessment, Case, Membership, PlanAction
from cases.programme import services
from cases.programme.services import ActionDetails, NeedAnswer
from consent.factories import PrivacyNoticeVersionFactory
from consent.models import ConsentRecord
from consent.services import record_consent
from fss.core import roles
from fss.core.factories import UserFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def need(code):
    return framework().headline_outcomes.get(code=code)


def answers(*codes, evidence="Seen by the worker on a home visit"):
    return [NeedAnswer(need(code), True, evidence) for code in codes]


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@pytest.fixture
def scene(north_team, caseworker):
    """The Reid family: Maya (mother, parental responsibility) and Leo (8); a case opened 90 days ago."""
    PrivacyNoticeVersionFactory(effective_from=date(2020, 1, 1))
    family = FamilyFactory(team=north_team, lead_worker=caseworker)
    start = TODAY() - relativedelta(years=2)
    maya = PersonFactory(given_name="Maya", family_name="Reid", age=34)
    MembershipFactory(
        person=maya,
        family=family,
        role=Membership.Role.PARENT_CARER,
        has_parental_responsibility=True,
        start_date=start,
    )
    MembershipFactory(family=family, role=Membership.Role.CHILD, person__age=8, start_date=start)
    case = CaseFactory(family=family, opened_on=TODAY() - timedelta(days=90), lead_worker=caseworker)
    return SimpleNamespace(family=family, maya=maya, case=case)


def agree(scene, by, *, on=None):
    """Maya agrees to work with the service and to information being recorded."""
    for purpose in ("service", "record"):
        record_consent(
            person=scene.maya,
            family=scene.family,
            purpose=purpose,
            decision=ConsentRecord.Decision.GIVEN,
            decided_by=scene.maya,
            capacity=ConsentRecord.Capacity.SELF,
            method=ConsentRecord.Method.WRITTEN,
            decided_on=on or scene.case.opened_on,
            by=by,
        )


@pytest.fixture
def agreed(scene, caseworker):
    agree(scene, caseworker)
    return scene


def assess(scene, by, *codes, **kwargs):
    kwargs.setdefault("assessed_on", scene.case.opened_on + timedelta(days=7))
    kwargs.setdefault("is_whole_family", True)
    return services.record_assessment(case=scene.case, needs=answers(*codes), by=by, **kwargs)


class TestConsentGate:
    def test_no_assessment_until_the_family_agrees(self, scene, caseworker):
        with pytest.raises(ValidationError) as refused:
            assess(scene, caseworker, "education")
        assert "agreement to work with the service not recorded" in messages(refused.value)
        assert not Assessment.objects.exists()
        agree(scene, caseworker)
        assert assess(scene, caseworker, "education").status == ApprovalStatus.DRAFT

    def test_agreement_from_before_this_case_does_not_open_it(self, scene, caseworker):
        agree(scene, caseworker, on=scene.case.opened_on - timedelta(days=30))
        with pytest.raises(ValidationError) as refused:
            assess(scene, caseworker, "education")
        assert "before this case began" in messages(refused.value)

    @pytest.mark.parametrize("work", ["plan", "action", "review", "outcome"])
    def test_no_plan_action_review_or_outcome_without_agreement(self, scene, caseworker, work):
        AssessmentFactory(case=scene.case, identified=["education"])
        plan = PlanFactory(case=scene.case)
        day = scene.case.opened_on + timedelta(days=10)
        attempts = {
            "plan": lambda: services.create_plan(
                case=scene.case, starts_on=day, goals="Goals", by=caseworker
            ),
            "action": lambda: services.add_plan_action(
                plan=plan, details=ActionDetails("Call school", day, owner=caseworker), by=caseworker
            ),
            "review": lambda: services.record_review(
                case=scene.case, held_on=day, attendees="Maya", summary="Going well", by=caseworker
            ),
            "outcome": lambda: services.record_outcome(
                case=scene.case, need=need("education"), progress="some", by=caseworker
            ),
        }
        with pytest.raises(ValidationError) as refused:
            attempts[work]()
        assert "Record the family's agreement" in messages(refused.value)


class TestAssessment:
    def test_records_one_answer_per_headline_outcome_with_history_and_access_log(self, agreed, caseworker):
        assessment = assess(agreed, caseworker, "education", "housing", "financial_stability")
        rows = list(assessment.needs.order_by("headline_outcome__order"))
        assert len(rows) == 10
        assert [r.headline_outcome.code for r in rows if r.identified] == [
            "education",
            "housing",
            "financial_stability",
        ]
        assert all(r.identified_on == assessment.assessed_on for r in rows if r.identified)
        assert assessment.framework.code == "supporting-families-2022"
        assert assessment.history.get().history_user == caseworker
        assert rows[0].history.get().history_user == caseworker
        entry = AccessLogEntry.objects.get(record_type="cases.assessment")
        assert (entry.user, entry.action, entry.family_id) == (caseworker, "change", agreed.family.pk)

    @pytest.mark.parametrize(
        ("assessed_on", "message"),
        [
            (
                lambda case: TODAY() + timedelta(days=1),
                "The date of the assessment must be today or in the past.",
            ),
            (
                lambda case: case.opened_on - timedelta(days=1),
                "The date of the assessment must be on or after the date the case opened",
            ),
        ],
    )
    def test_refuses_impossible_dates(self, agreed, caseworker, assessed_on, message):
        with pytest.raises(ValidationError) as refused:
            assess(agreed, caseworker, "education", assessed_on=assessed_on(agreed.case))
        assert message in refused.value.message_dict["assessed_on"][0]

    def test_refuses_a_need_identified_in_the_future(self, agreed, caseworker):
        future = [
            NeedAnswer(need("housing"), True, "Eviction notice", identified_on=TODAY() + timedelta(days=3))
        ]
        with pytest.raises(ValidationError) as refused:
            services.record_assessment(
                case=agreed.case, assessed_on=TODAY(), is_whole_family=True, needs=future, by=caseworker
            )
        assert refused.value.message_dict["need_housing_identified_on"] == [
            "The date “Secure housing” was identified must be today or in the past."
        ]
        assert not Assessment.objects.exists()  # nothing saved half-way

    def test_refuses_a_need_that_is_not_in_the_framework(self, agreed, caseworker):
        old = framework(NOTICE_FRAMEWORK).headline_outcomes.get(code="school_attendance")
        with pytest.raises(ValidationError) as refused:
            services.record_assessment(
                case=agreed.case,
                assessed_on=TODAY(),
                is_whole_family=True,
                needs=[NeedAnswer(old, True, "Attendance 70%")],
                by=caseworker,
            )
        assert refused.value.message_dict["needs"] == [
            "“School attendance” is not a headline outcome of the National Supporting Families Outcome "
            "Framework, which this assessment uses."
        ]
        assert not Assessment.objects.exists()

    def test_a_case_keeps_the_framework_of_its_first_assessment(self, agreed, caseworker):
        AssessmentFactory(case=agreed.case, framework=framework(NOTICE_FRAMEWORK), identified=["crime_asb"])
        answer = [
            NeedAnswer(framework(NOTICE_FRAMEWORK).headline_outcomes.get(code="health"), True, "GP letter")
        ]
        later = services.record_assessment(
            case=agreed.case, assessed_on=TODAY(), is_whole_family=True, needs=answer, by=caseworker
        )
        assert later.framework.code == NOTICE_FRAMEWORK

    def test_refuses_on_a_closed_case_and_a_second_draft(self, agreed, caseworker):
        assess(agreed, caseworker, "education")
        with pytest.raises(ValidationError, match="already has a draft assessment"):
            assess(agreed, caseworker, "housing")
        Case.objects.filter(pk=agreed.case.pk).update(
            status="closed", closed_on=TODAY(), closure_reason="other"
        )
        agreed.case.refresh_from_db()
        with pytest.raises(ValidationError, match="This case is closed"):
            assess(agreed, caseworker, "housing")

    def test_only_a_draft_can_be_changed(self, agreed, caseworker):
        assessment = assess(agreed, caseworker, "education")
        services.update_assessment(
            assessment=assessment,
            assessed_on=assessment.assessed_on,
            is_whole_family=False,
            needs=answers("education", "housing"),
            by=caseworker,
        )
        assert assessment.needs.filter(identified=True).count() == 2
        services.submit_assessment(assessment=assessment, by=caseworker)
        with pytest.raises(ValidationError, match="Only a draft assessment can be changed"):
            services.update_assessment(
                assessment=assessment, assessed_on=TODAY(), is_whole_family=True, needs=[], by=caseworker
            )

    def test_submitting_needs_evidence_for_every_need_identified(self, agreed, caseworker):
        assessment = services.record_assessment(
            case=agreed.case,
            assessed_on=TODAY(),
            is_whole_family=True,
            needs=[
                NeedAnswer(need("housing"), True, ""),
                NeedAnswer(need("education"), True, "School letter"),
            ],
            by=caseworker,
        )
        with pytest.raises(ValidationError) as refused:
            services.submit_assessment(assessment=assessment, by=caseworker)
        assert messages(refused.value) == (
            "Add the evidence for every need identified before submitting: Secure housing."
        )


class TestApproval:
    @pytest.fixture
    def submitted(self, agreed, caseworker):
        assessment = assess(agreed, caseworker, "education", "housing", "financial_stability")
        return services.submit_assessment(assessment=assessment, by=caseworker)

    def test_submitted_assessment_waits_for_a_manager_by_default(self, submitted):
        assert submitted.awaits_approval
        assert not submitted.is_agreed

    def test_a_team_can_choose_not_to_approve_assessments(self, agreed, caseworker, north_team):
        TeamApprovalSettingFactory(team=north_team, approve_assessments=False)
        assessment = services.submit_assessment(
            assessment=assess(agreed, caseworker, "education"), by=caseworker
        )
        assert assessment.is_agreed
        assert not assessment.awaits_approval

    def test_the_teams_manager_approves_with_a_comment(self, submitted, manager):
        services.approve_assessment(assessment=submitted, by=manager, comment="Good evidence.")
        submitted.refresh_from_db()
        assert submitted.status == ApprovalStatus.APPROVED
        assert submitted.is_agreed
        event = submitted.approval_events.get(kind=ApprovalEvent.Kind.APPROVED)
        assert (event.by, event.comment) == (manager, "Good evidence.")

    def test_returning_needs_a_comment_and_makes_it_a_draft_again(self, submitted, manager):
        with pytest.raises(ValidationError) as refused:
            services.approve_assessment(assessment=submitted, by=manager, approve=False)
        assert refused.value.message_dict["comment"] == ["Say what needs to change in the assessment."]
        services.approve_assessment(
            assessment=submitted, by=manager, approve=False, comment="Add the GP's view."
        )
        submitted.refresh_from_db()
        assert submitted.status == ApprovalStatus.DRAFT

    @pytest.mark.parametrize("who", ["caseworker", "colleague", "other_manager"])
    def test_only_a_manager_of_the_familys_team_approves(self, submitted, who, request, south_team):
        if who == "other_manager":
            approver = UserFactory(roles=[roles.TEAM_MANAGER], team=south_team, team__manager=True)
        else:
            approver = request.getfixturevalue(who)
        with pytest.raises(ValidationError) as refused:
            services.approve_assessment(assessment=submitted, by=approver)
        assert messages(refused.value) == (
            "Only a manager of the team holding this family can approve its assessment."
        )

    def test_a_manager_cannot_approve_their_own_assessment(self, agreed, manager):
        assessment = services.submit_assessment(assessment=assess(agreed, manager, "education"), by=manager)
        with pytest.raises(ValidationError) as refused:
            services.approve_assessment(assessment=assessment, by=manager)
        assert (
            messages(refused.value)
            == "You cannot approve your own assessment: ask another manager of the team."
        )

    def test_a_manager_cannot_approve_what_they_submitted(self, agreed, caseworker, manager):
        assessment = services.submit_assessment(
            assessment=assess(agreed, caseworker, "education"), by=manager
        )
        with pytest.raises(ValidationError, match="cannot approve your own"):
            services.approve_assessment(assessment=assessment, by=manager)

    def test_plans_are_approved_the_same_way(self, agreed, caseworker, manager):
        AssessmentFactory(case=agreed.case, identified=["education"])
        plan = services.create_plan(case=agreed.case, starts_on=TODAY(), goals="Leo in school", by=caseworker)
        with pytest.raises(ValidationError, match="Add at least one action"):
            services.submit_plan(plan=plan, by=caseworker)
        services.add_plan_action(
            plan=plan,
            details=ActionDetails(
                "Attendance meeting", TODAY() + timedelta(days=14), need=need("education"), owner=caseworker
            ),
            by=caseworker,
        )
        services.submit_plan(plan=plan, by=caseworker)
        with pytest.raises(ValidationError, match="Only a manager"):
            services.approve_plan(plan=plan, by=caseworker)
        services.approve_plan(plan=plan, by=manager, comment="Agreed")
        plan.refresh_from_db()
        assert plan.is_agreed


class TestPlan:
    @pytest.fixture
    def plan(self, agreed, caseworker):
        AssessmentFactory(case=agreed.case, identified=["education", "housing"])
        return services.create_plan(
            case=agreed.case,
            starts_on=agreed.case.opened_on + timedelta(days=14),
            goals="Goals",
            by=caseworker,
        )

    def test_needs_a_submitted_assessment_first(self, agreed, caseworker):
        AssessmentFactory(case=agreed.case, status=ApprovalStatus.DRAFT, identified=["education"])
        with pytest.raises(ValidationError) as refused:
            services.create_plan(case=agreed.case, starts_on=TODAY(), goals="Goals", by=caseworker)
        assert "Submit the family's assessment before writing the plan" in messages(refused.value)

    def test_refuses_an_action_due_before_the_plan_started(self, plan, caseworker):
        with pytest.raises(ValidationError) as refused:
            services.add_plan_action(
                plan=plan,
                details=ActionDetails("Call", plan.starts_on - timedelta(days=1), owner=caseworker),
                by=caseworker,
            )
        started = f"{plan.starts_on.day} {plan.starts_on:%B %Y}"
        assert refused.value.message_dict["due_on"] == [
            f"The due date must be on or after the plan started ({started})."
        ]

    def test_team_around_the_family_partner_owns_an_action(self, plan, caseworker):
        action = services.add_plan_action(
            plan=plan,
            details=ActionDetails(
                "Housing application",
                plan.starts_on + timedelta(days=30),
                need=need("housing"),
                partner_name="Priya Shah",
                partner_organisation="Northtown Housing",
                partner_role="Housing officer",
            ),
            by=caseworker,
        )
        assert action.owner is None
        assert action.owner_text == "Priya Shah (Housing officer, Northtown Housing)"
        assert action.history.get().history_user == caseworker

    @pytest.mark.parametrize(
        ("details", "field", "message"),
        [
            (
                {"partner_name": "Priya Shah"},
                "partner_organisation",
                "Enter the partner practitioner's organisation.",
            ),
            (
                {},
                "owner",
                "Choose who owns the action: a worker, or a partner practitioner for Team Around the Family.",
            ),
            (
                {"owner": "caseworker", "partner_name": "Priya"},
                "owner",
                "Choose one owner: a worker or a partner practitioner, not both.",
            ),
            (
                {"owner": "other_caseworker"},
                "owner",
                "The owner must be a worker who can work with this family.",
            ),
            (
                {"owner": "caseworker", "need": "health"},
                "need",
                "“Improved mental and physical health” is not a need identified for this family.",
            ),
            ({"owner": "caseworker", "description": " "}, "description", "Describe the action."),
        ],
    )
    def test_refuses_bad_actions_with_clear_messages(
        self, plan, caseworker, request, details, field, message
    ):
        details = dict(details)
        if "owner" in details:
            details["owner"] = request.getfixturevalue(details["owner"])
        if "need" in details:
            details["need"] = need(details["need"])
        details.setdefault("description", "Call the school")
        with pytest.raises(ValidationError) as refused:
            services.add_plan_action(
                plan=plan,
                details=ActionDetails(due_on=plan.starts_on + timedelta(days=7), **details),
                by=caseworker,
            )
        assert refused.value.message_dict[field] == [message]
        assert not PlanAction.objects.exists()

    def test_action_status_moves_on_with_history(self, plan, caseworker, colleague):
        action = PlanActionFactory(plan=plan, owner=caseworker)
        services.update_action_status(action=action, status=PlanAction.Status.DONE, by=colleague)
        action.refresh_from_db()
        assert action.status == PlanAction.Status.DONE
        assert action.history.first().history_user == colleague
        with pytest.raises(ValidationError, match="Choose the action's status"):
            services.update_action_status(action=action, status="finished", by=colleague)


class TestReview:
    @pytest.mark.parametrize(
        ("held_on", "next_review_on", "field", "message"),
        [
            (
                lambda d: d + timedelta(days=400),
                None,
                "held_on",
                "The date of the review must be today or in the past.",
            ),
            (lambda d: d - timedelta(days=1), None, "held_on", "The date of the review must be on or after"),
            (
                lambda d: d + timedelta(days=10),
                lambda d: d + timedelta(days=10),
                "next_review_on",
                "after this one",
            ),
        ],
    )
    def test_refuses_impossible_dates(self, agreed, caseworker, held_on, next_review_on, field, message):
        opened = agreed.case.opened_on
        with pytest.raises(ValidationError) as refused:
            services.record_review(
                case=agreed.case,
                held_on=held_on(opened),
                next_review_on=next_review_on(opened) if next_review_on else None,
                attendees="Maya; school",
                summary="Progress",
                by=caseworker,
            )
        assert message in refused.value.message_dict[field][0]

    def test_records_a_review(self, agreed, caseworker):
        held = agreed.case.opened_on + timedelta(days=30)
        review = services.record_review(
            case=agreed.case,
            held_on=held,
            attendees="Maya; Priya Shah (housing)",
            summary="Rent arrears plan agreed",
            next_review_on=held + relativedelta(months=3),
            by=caseworker,
        )
        assert review.history.get().history_user == caseworker
        assert AccessLogEntry.objects.filter(record_type="cases.review", family_id=agreed.family.pk).exists()


class TestOutcome:
    @pytest.fixture
    def assessed(self, agreed):
        AssessmentFactory(case=agreed.case, identified=["education", "housing"])
        return agreed

    def test_refuses_an_outcome_for_a_need_not_identified(self, assessed, caseworker):
        with pytest.raises(ValidationError) as refused:
            services.record_outcome(
                case=assessed.case, need=need("health"), progress="achieved", by=caseworker
            )
        assert refused.value.message_dict["need"] == [
            "“Improved mental and physical health” was not identified as a need for this family, "
            "so it has no outcome."
        ]

    @pytest.mark.parametrize(
        ("progress", "achieved", "sustained", "field", "message"),
        [
            ("achieved", None, None, "achieved_on", "Enter the date achieved."),
            ("achieved", 400, None, "achieved_on", "The date achieved must be today or in the past."),
            (
                "some",
                -5,
                None,
                "achieved_on",
                "Only give a date achieved when the outcome has been achieved.",
            ),
            ("achieved", -10, -20, "sustained_until", "must be on or after the date achieved"),
            ("achieved", -10, 5, "sustained_until", "record it once it has happened"),
            ("somewhat", None, None, "progress", "Choose how much progress has been made."),
        ],
    )
    def test_refuses_bad_outcomes(self, assessed, caseworker, progress, achieved, sustained, field, message):
        today = TODAY()
        with pytest.raises(ValidationError) as refused:
            services.record_outcome(
                case=assessed.case,
                need=need("housing"),
                progress=progress,
                achieved_on=today + timedelta(days=achieved) if achieved is not None else None,
                sustained_until=today + timedelta(days=sustained) if sustained is not None else None,
                by=caseworker,
            )
        assert message in refused.value.message_dict[field][0]

    def test_outcomes_can_be_recorded_after_closure_to_show_they_lasted(self, assessed, caseworker):
        Case.objects.filter(pk=assessed.case.pk).update(
            status="closed", closed_on=TODAY() - timedelta(days=20), closure_reason="needs_met"
        )
        outcome = services.record_outcome(
            case=assessed.case,
            need=need("housing"),
            progress="achieved",
            achieved_on=TODAY() - timedelta(days=30),
            sustained_until=TODAY(),
            progress_note="Tenancy secure, arrears cleared",
            by=caseworker,
        )
        assert (outcome.recorded_on, outcome.recorded_by) == (TODAY(), caseworker)
        assert outcome.history.get().history_user == caseworker


class TestTeamApprovals:
    def test_a_manager_sets_the_teams_approvals(self, manager, north_team):
        setting = services.set_team_approvals(
            team=north_team, approve_assessments=False, approve_plans=True, approve_closures=True, by=manager
        )
        assert (setting.approve_assessments, setting.history.get().history_user) == (False, manager)

    @pytest.mark.parametrize("who", ["caseworker", "other_manager"])
    def test_no_one_else_does(self, who, request, north_team, south_team):
        user = (
            UserFactory(roles=[roles.TEAM_MANAGER], team=south_team, team__manager=True)
            if who == "other_manager"
            else request.getfixturevalue(who)
        )
        with pytest.raises(ValidationError, match="Only a manager of this team"):
            services.set_team_approvals(
                team=north_team,
                approve_assessments=False,
                approve_plans=False,
                approve_closures=False,
                by=user,
            )


def test_demo_programme_goes_through_the_services(agreed, caseworker, manager):
    import random

    from cases.programme.demo import seed_programme

    seed_programme(case=agreed.case, worker=caseworker, manager=manager, rng=random.Random(7), today=TODAY())
    assessment = agreed.case.assessments.get()
    plan = agreed.case.plans.get()
    assert (assessment.status, plan.status) == (ApprovalStatus.APPROVED, ApprovalStatus.APPROVED)
    assert assessment.needs.filter(identified=True).count() == plan.actions.count() >= 3
    assert plan.actions.filter(owner__isnull=True, partner_name="Jo Patel").exists()
    assert agreed.case.outcomes.filter(progress="achieved").count() == 1
