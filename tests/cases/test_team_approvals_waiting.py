"""The team approvals page lists what waits for a manager: assessments, plans and case closures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.factories import AssessmentFactory, CaseFactory, FamilyFactory, PlanFactory
from cases.models import ApprovalStatus, Case, ClosureRequest

pytestmark = pytest.mark.django_db


def _closure(family, by, status=ClosureRequest.Status.PENDING, decided_by=None) -> ClosureRequest:
    case = CaseFactory(family=family)
    return ClosureRequest.objects.create(
        case=case,
        closed_on=timezone.localdate(),
        reason=Case.ClosureReason.NEEDS_MET,
        requested_by=by,
        status=status,
        decided_by=decided_by,
        decided_at=timezone.now() if decided_by else None,
    )


def _page(client, team) -> str:
    response = client.get(reverse("cases:programme_team_approvals", args=[team.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_pending_closures_are_listed_beside_assessments_and_plans(
    client, manager, caseworker, north_team, south_team
):
    ours = FamilyFactory(team=north_team)
    pending = _closure(ours, caseworker)
    decided = _closure(
        FamilyFactory(team=north_team), caseworker, status=ClosureRequest.Status.RETURNED, decided_by=manager
    )
    theirs = _closure(FamilyFactory(team=south_team), caseworker)
    assessment = AssessmentFactory(
        case=CaseFactory(family=FamilyFactory(team=north_team)), status=ApprovalStatus.SUBMITTED
    )
    plan = PlanFactory(
        case=CaseFactory(family=FamilyFactory(team=north_team)), status=ApprovalStatus.SUBMITTED
    )
    AssessmentFactory(case=CaseFactory(family=FamilyFactory(team=north_team)))  # approved already

    client.force_login(manager)
    html = _page(client, north_team)

    assert html.count('data-waiting="closure"') == 1
    assert html.count('data-waiting="assessment"') == 1
    assert html.count('data-waiting="plan"') == 1
    decide = reverse("cases:closure_decide", args=[ours.pk, pending.case_id, pending.pk])
    assert f'href="{decide}"' in html
    assert decided.case.family.reference not in html
    assert theirs.case.family.reference not in html
    assert assessment.case.family.reference in html
    assert plan.case.family.reference in html
    # The settings form is still there.
    assert "Case closures need a manager" in html


def test_nothing_waiting_says_so(client, manager, north_team):
    client.force_login(manager)
    assert "Nothing in this team is waiting" in _page(client, north_team)


def test_the_list_costs_the_same_queries_whatever_the_number_waiting(client, manager, caseworker, north_team):
    client.force_login(manager)
    _closure(FamilyFactory(team=north_team), caseworker)
    _page(client, north_team)
    with CaptureQueriesContext(connection) as few:
        _page(client, north_team)
    for _ in range(4):
        _closure(FamilyFactory(team=north_team), caseworker)
        AssessmentFactory(
            case=CaseFactory(family=FamilyFactory(team=north_team)), status=ApprovalStatus.SUBMITTED
        )
        PlanFactory(case=CaseFactory(family=FamilyFactory(team=north_team)), status=ApprovalStatus.SUBMITTED)
    with CaptureQueriesContext(connection) as many:
        html = _page(client, north_team)
    assert html.count('data-waiting="closure"') == 5
    assert len(few.captured_queries) == len(many.captured_queries)
