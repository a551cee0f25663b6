"""Manager approval of case closures, configurable per team (issue 3).

When the team's setting asks for it (the default), closing a case records a
closure request and the case stays open until a manager of the team approves it;
the manager may return it with a comment; nobody decides their own request.
When the setting is off, closing works at once.
"""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.factories import CaseFactory, FamilyFactory
from cases.models import Case, CaseEvent, ClosureRequest, Referral, TeamApprovalSetting
from cases.selectors import closures_to_approve, destruction_date_if_closed, my_closure_requests
from cases.services import close_case, decide_closure, reopen_case, request_closure, submit_closure
from fss.core import roles
from fss.core.factories import UserFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
CLOSE_ON = TODAY() - timedelta(days=2)


def _date(prefix: str, value) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


@pytest.fixture
def case(north_team, caseworker):
    family = FamilyFactory(team=north_team, lead_worker=caseworker)
    return CaseFactory(family=family, lead_worker=caseworker, opened_on=TODAY() - timedelta(days=90))


def _request(case, by, **kwargs):
    return request_closure(
        case=case,
        closed_on=kwargs.pop("closed_on", CLOSE_ON),
        reason=kwargs.pop("reason", Case.ClosureReason.NEEDS_MET),
        note=kwargs.pop("note", "Attendance back above 95% for a term."),
        by=by,
        **kwargs,
    )


class TestTheTeamSetting:
    def test_by_default_closing_asks_a_manager_and_the_case_stays_open(self, case, caseworker):
        result = submit_closure(
            case=case, closed_on=CLOSE_ON, reason=Case.ClosureReason.NEEDS_MET, by=caseworker
        )
        assert isinstance(result, ClosureRequest)
        assert (result.status, result.requested_by, result.closed_on) == (
            ClosureRequest.Status.PENDING,
            caseworker,
            CLOSE_ON,
        )
        case.refresh_from_db()
        assert case.status == Case.Status.OPEN
        assert not case.events.filter(kind=CaseEvent.Kind.CLOSED).exists()
        assert AccessLogEntry.objects.filter(
            record_type="cases.closurerequest", record_id=str(result.pk), action="change"
        ).exists()

    def test_with_the_setting_off_the_case_closes_at_once(self, case, caseworker, north_team):
        TeamApprovalSetting.objects.create(team=north_team, approve_closures=False)
        result = submit_closure(
            case=case, closed_on=CLOSE_ON, reason=Case.ClosureReason.NEEDS_MET, by=caseworker
        )
        assert isinstance(result, Case)
        case.refresh_from_db()
        assert (case.status, case.closed_on) == (Case.Status.CLOSED, CLOSE_ON)
        assert not ClosureRequest.objects.exists()

    def test_another_teams_setting_does_not_count(self, case, caseworker, south_team):
        TeamApprovalSetting.objects.create(team=south_team, approve_closures=False)
        result = submit_closure(
            case=case, closed_on=CLOSE_ON, reason=Case.ClosureReason.NEEDS_MET, by=caseworker
        )
        assert isinstance(result, ClosureRequest)


class TestDecisions:
    def test_a_manager_approves_and_the_case_closes_with_the_reason_and_date_asked_for(
        self, case, caseworker, manager
    ):
        closure = _request(
            case,
            caseworker,
            reason=Case.ClosureReason.STEPPED_UP,
            receiving_team="Children's social care, Aylesbury",
        )
        decide_closure(closure=closure, approve=True, comment="Agreed: handover done.", by=manager)
        case.refresh_from_db()
        closure.refresh_from_db()
        assert (case.status, case.closed_on, case.closure_reason) == (
            Case.Status.CLOSED,
            CLOSE_ON,
            Case.ClosureReason.STEPPED_UP,
        )
        event = case.events.get(kind=CaseEvent.Kind.CLOSED)
        assert (event.by, event.receiving_team, event.on) == (
            caseworker,
            "Children's social care, Aylesbury",
            CLOSE_ON,
        )
        assert (closure.status, closure.decided_by, closure.decision_comment) == (
            ClosureRequest.Status.APPROVED,
            manager,
            "Agreed: handover done.",
        )
        assert closure.history.count() == 2  # requested, then decided

    def test_a_manager_returns_it_with_a_comment_and_the_case_stays_open(self, case, caseworker, manager):
        closure = _request(case, caseworker)
        decide_closure(closure=closure, approve=False, comment="Review with school first.", by=manager)
        case.refresh_from_db()
        closure.refresh_from_db()
        assert case.status == Case.Status.OPEN
        assert (closure.status, closure.decision_comment) == (
            ClosureRequest.Status.RETURNED,
            "Review with school first.",
        )
        # The worker may ask again once it has been returned.
        again = _request(case, caseworker)
        assert again.status == ClosureRequest.Status.PENDING

    def test_returning_needs_a_comment(self, case, caseworker, manager):
        closure = _request(case, caseworker)
        with pytest.raises(ValidationError) as error:
            decide_closure(closure=closure, approve=False, comment="  ", by=manager)
        assert "comment" in error.value.message_dict
        closure.refresh_from_db()
        assert closure.status == ClosureRequest.Status.PENDING

    def test_nobody_approves_their_own_request(self, case, manager):
        closure = _request(case, manager)
        with pytest.raises(ValidationError, match="cannot approve your own"):
            decide_closure(closure=closure, approve=True, by=manager)
        case.refresh_from_db()
        assert case.status == Case.Status.OPEN

    def test_a_caseworker_cannot_approve(self, case, caseworker, colleague):
        closure = _request(case, caseworker)
        with pytest.raises(ValidationError, match="Only a manager of the team"):
            decide_closure(closure=closure, approve=True, by=colleague)
        case.refresh_from_db()
        assert case.status == Case.Status.OPEN

    def test_a_manager_of_another_team_cannot_approve(self, case, caseworker, south_team):
        other_manager = UserFactory(roles=[roles.TEAM_MANAGER], team=south_team, team__manager=True)
        closure = _request(case, caseworker)
        with pytest.raises(ValidationError, match="Only a manager of the team"):
            decide_closure(closure=closure, approve=True, by=other_manager)
        closure.refresh_from_db()
        assert closure.status == ClosureRequest.Status.PENDING

    def test_a_team_member_without_the_manager_role_cannot_approve(self, case, caseworker, north_team):
        # Flagged as a manager of the team, but without the team manager role.
        not_a_manager = UserFactory(roles=[roles.CASEWORKER], team=north_team, team__manager=True)
        closure = _request(case, caseworker)
        with pytest.raises(ValidationError, match="Only a manager of the team"):
            decide_closure(closure=closure, approve=True, by=not_a_manager)

    def test_a_request_is_decided_once(self, case, caseworker, manager, north_team):
        second_manager = UserFactory(roles=[roles.TEAM_MANAGER], team=north_team, team__manager=True)
        closure = _request(case, caseworker)
        decide_closure(closure=closure, approve=True, by=manager)
        with pytest.raises(ValidationError, match="already been decided"):
            decide_closure(closure=closure, approve=True, by=second_manager)
        with pytest.raises(ValidationError, match="already been decided"):
            decide_closure(closure=closure, approve=False, comment="No", by=second_manager)
        assert case.events.filter(kind=CaseEvent.Kind.CLOSED).count() == 1


class TestRequests:
    def test_only_one_request_waits_at_a_time(self, case, caseworker, colleague):
        _request(case, caseworker)
        with pytest.raises(ValidationError, match="already waiting"):
            _request(case, colleague)
        assert ClosureRequest.objects.count() == 1

    def test_a_closure_waiting_for_approval_blocks_closing_directly(self, case, caseworker):
        _request(case, caseworker)
        with pytest.raises(ValidationError, match="waiting for a manager"):
            close_case(case=case, closed_on=CLOSE_ON, reason=Case.ClosureReason.NEEDS_MET, by=caseworker)

    @pytest.mark.parametrize(
        ("days_before_opening", "reason", "message"),
        [
            (1, Case.ClosureReason.NEEDS_MET, "on or after the date the case opened"),
            (-200, Case.ClosureReason.NEEDS_MET, "today or in the past"),
            (-10, "bored", "Choose why"),
            (-10, Case.ClosureReason.STEPPED_UP, "social care team receiving"),
        ],
    )
    def test_bad_requests_are_refused_and_nothing_is_saved(
        self, case, caseworker, days_before_opening, reason, message
    ):
        closed_on = case.opened_on - timedelta(days=days_before_opening)
        with pytest.raises(ValidationError, match=message):
            _request(case, caseworker, closed_on=closed_on, reason=reason)
        assert not ClosureRequest.objects.exists()

    def test_a_closed_case_cannot_be_asked_to_close(self, caseworker, north_team):
        case = CaseFactory(family=FamilyFactory(team=north_team), closed=True)
        with pytest.raises(ValidationError, match="already closed"):
            _request(case, caseworker)

    def test_the_destruction_date_the_closure_would_give(self, case, caseworker):
        assert destruction_date_if_closed(case, CLOSE_ON) == CLOSE_ON + relativedelta(years=7)
        # While a referral waits for a decision the family is still involved: no date yet.
        Referral.objects.create(
            family=case.family, received_on=TODAY(), source="school", reason="x", recorded_by=caseworker
        )
        assert destruction_date_if_closed(case, CLOSE_ON) is None

    def test_an_approved_closure_can_be_reopened_and_asked_again(self, case, caseworker, manager):
        decide_closure(closure=_request(case, caseworker), approve=True, by=manager)
        reopen_case(case=case, reopened_on=TODAY(), by=caseworker)
        again = _request(case, caseworker, closed_on=TODAY())
        assert again.status == ClosureRequest.Status.PENDING


class TestMyWorkLists:
    def test_the_manager_sees_requests_from_others_and_the_worker_sees_their_own(
        self, case, caseworker, manager, other_caseworker
    ):
        closure = _request(case, caseworker)
        assert closures_to_approve(manager) == [closure]
        assert closures_to_approve(caseworker) == []  # not a manager
        assert my_closure_requests(caseworker) == [closure]
        assert my_closure_requests(other_caseworker) == []
        decide_closure(closure=closure, approve=False, comment="Not yet", by=manager)
        assert closures_to_approve(manager) == []
        assert [c.status for c in my_closure_requests(caseworker)] == [ClosureRequest.Status.RETURNED]

    def test_a_manager_does_not_see_their_own_request_to_approve(self, case, manager):
        _request(case, manager)
        assert closures_to_approve(manager) == []


class TestPages:
    def test_closing_in_the_browser_sends_it_for_approval_with_the_date_it_would_give(
        self, client, case, caseworker
    ):
        client.force_login(caseworker)
        close_url = reverse("cases:case_close", args=[case.family.pk, case.pk])
        assert "A manager of the team must approve the closure" in client.get(close_url).content.decode()
        response = client.post(
            close_url, {**_date("closed_on", CLOSE_ON), "reason": "needs_met"}, follow=True
        )
        html = response.content.decode()
        due = CLOSE_ON + relativedelta(years=7)
        assert "Closure sent to a manager for approval" in html
        assert f"If approved, records are kept until {due.day} {due:%B %Y}" in html
        assert "Waiting for approval" in html
        assert "Approve or return" not in html  # not for the worker who asked
        case.refresh_from_db()
        assert case.status == Case.Status.OPEN

    def test_the_manager_approves_from_my_work(self, client, case, caseworker, manager):
        closure = _request(case, caseworker)
        client.force_login(manager)
        decide_url = reverse("cases:closure_decide", args=[case.family.pk, case.pk, closure.pk])
        my_work = client.get(reverse("cases:my_work")).content.decode()
        assert decide_url in my_work
        family_page = client.get(reverse("cases:family_detail", args=[case.family.pk])).content.decode()
        assert "Approve or return" in family_page
        page = client.get(decide_url).content.decode()
        due = CLOSE_ON + relativedelta(years=7)
        assert f"{due.day} {due:%B %Y}, if you approve" in page
        response = client.post(decide_url, {"decision": "approve", "comment": "Agreed"}, follow=True)
        assert "Closure approved: the case is closed." in response.content.decode()
        case.refresh_from_db()
        assert (case.status, case.closed_on) == (Case.Status.CLOSED, CLOSE_ON)

    def test_returning_without_a_comment_shows_the_error_beside_the_field(
        self, client, case, caseworker, manager
    ):
        closure = _request(case, caseworker)
        client.force_login(manager)
        decide_url = reverse("cases:closure_decide", args=[case.family.pk, case.pk, closure.pk])
        response = client.post(decide_url, {"decision": "return", "comment": ""})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
        closure.refresh_from_db()
        assert closure.status == ClosureRequest.Status.PENDING

    def test_the_worker_sees_a_returned_request_on_my_work(self, client, case, caseworker, manager):
        decide_closure(
            closure=_request(case, caseworker), approve=False, comment="Check with school", by=manager
        )
        client.force_login(caseworker)
        html = client.get(reverse("cases:my_work")).content.decode()
        assert "Check with school" in html
        family_page = client.get(reverse("cases:family_detail", args=[case.family.pk])).content.decode()
        assert "Closure returned" in family_page

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("caseworker", 403), ("other_caseworker", 404), ("dpo", 403)],
        indirect=["persona"],
    )
    def test_only_a_manager_of_the_team_reaches_the_decision_page(
        self, client, case, caseworker, persona, status
    ):
        closure = _request(case, caseworker)
        client.force_login(persona)
        decide_url = reverse("cases:closure_decide", args=[case.family.pk, case.pk, closure.pk])
        assert client.get(decide_url).status_code == status
        assert client.post(decide_url, {"decision": "approve"}).status_code == status
        closure.refresh_from_db()
        assert closure.status == ClosureRequest.Status.PENDING
