"""What the programme puts on My work: actions and reviews due, and approvals waiting (SPEC §4.4)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.factories import (
    AssessmentFactory,
    CaseFactory,
    FamilyFactory,
    PlanActionFactory,
    PlanFactory,
    ReviewFactory,
)
from cases.models import ApprovalStatus, PlanAction
from cases.programme.selectors import work_due

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def open_case(team, lead_worker):
    return CaseFactory(
        family=FamilyFactory(team=team), opened_on=TODAY() - timedelta(days=60), lead_worker=lead_worker
    )


def test_lists_my_open_actions_due_soon_or_overdue(caseworker, colleague, north_team):
    case = open_case(north_team, caseworker)
    plan = PlanFactory(case=case)
    overdue = PlanActionFactory(plan=plan, owner=caseworker, due_on=TODAY() - timedelta(days=3))
    soon = PlanActionFactory(plan=plan, owner=caseworker, due_on=TODAY() + timedelta(days=7))
    PlanActionFactory(plan=plan, owner=caseworker, due_on=TODAY() + timedelta(days=60))  # not yet
    PlanActionFactory(plan=plan, owner=caseworker, due_on=TODAY(), status=PlanAction.Status.DONE)
    PlanActionFactory(plan=plan, owner=colleague, due_on=TODAY())  # someone else's
    assert work_due(caseworker).actions == [overdue, soon]


def test_lists_the_next_review_of_the_cases_i_lead(caseworker, north_team):
    case = open_case(north_team, caseworker)
    ReviewFactory(
        case=case, held_on=TODAY() - timedelta(days=50), next_review_on=TODAY() - timedelta(days=20)
    )
    latest = ReviewFactory(
        case=case, held_on=TODAY() - timedelta(days=20), next_review_on=TODAY() + timedelta(days=5)
    )
    assert work_due(caseworker).reviews == [latest]


def test_a_manager_sees_what_waits_for_approval_except_their_own(manager, caseworker, north_team, south_team):
    mine = open_case(north_team, caseworker)
    waiting = AssessmentFactory(case=mine, status=ApprovalStatus.SUBMITTED, assessor=caseworker)
    AssessmentFactory(case=mine, status=ApprovalStatus.SUBMITTED, assessor=manager)
    AssessmentFactory(case=open_case(south_team, None), status=ApprovalStatus.SUBMITTED)
    plan = PlanFactory(case=mine, status=ApprovalStatus.SUBMITTED, created_by=caseworker)
    due = work_due(manager)
    assert due.assessments_to_approve == [waiting]
    assert due.plans_to_approve == [plan]
    assert work_due(caseworker).assessments_to_approve == []


def test_query_count_does_not_grow_with_the_caseload(manager, caseworker, north_team):
    def count(user):
        with CaptureQueriesContext(connection) as captured:
            work_due(user)
        return len(captured)

    count(manager)  # the user's roles and permissions are cached on the first call
    before = count(manager)
    for _ in range(3):
        case = open_case(north_team, manager)
        PlanActionFactory(plan=PlanFactory(case=case), owner=manager, due_on=TODAY())
        ReviewFactory(
            case=case, held_on=TODAY() - timedelta(days=1), next_review_on=TODAY() + timedelta(days=1)
        )
        AssessmentFactory(case=case, status=ApprovalStatus.SUBMITTED, assessor=caseworker)
    assert count(manager) == before == 4


def test_my_work_heading_counts_the_actions_and_reviews_due(client, caseworker, north_team):
    case = open_case(north_team, caseworker)
    plan = PlanFactory(case=case)
    PlanActionFactory(plan=plan, owner=caseworker, due_on=TODAY() - timedelta(days=3))
    PlanActionFactory(plan=plan, owner=caseworker, due_on=TODAY() + timedelta(days=2))
    ReviewFactory(case=case, held_on=TODAY() - timedelta(days=20), next_review_on=TODAY() + timedelta(days=5))
    client.force_login(caseworker)
    page = client.get("/my-work/").content.decode()
    assert "Plan actions and reviews due (3)" in page
