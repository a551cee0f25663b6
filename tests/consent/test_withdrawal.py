"""Withdrawal takes effect at once for later dates, changes nothing before, and prompts case closure
when the agreement to work with the service goes (SPEC §5.2, domain-rules §1.3)."""

import datetime

import pytest

from cases.models import Case
from consent.models import ConsentRecord
from consent.selectors import NOT_ASKED, consent_state
from consent.services import withdraw_consent

pytestmark = pytest.mark.django_db

Capacity = ConsentRecord.Capacity
GIVEN = ConsentRecord.Decision.GIVEN
WITHDRAWN = ConsentRecord.Decision.WITHDRAWN
JAN_10, MAR_1 = datetime.date(2026, 1, 10), datetime.date(2026, 3, 1)


@pytest.fixture
def withdraw(family, caseworker):
    def _withdraw(person, purpose, on, **kwargs):
        kwargs.setdefault("decided_by", person)
        kwargs.setdefault("capacity", Capacity.SELF)
        return withdraw_consent(
            person=person,
            family=family,
            purpose=purpose,
            method=ConsentRecord.Method.VERBAL,
            decided_on=on,
            by=caseworker,
            **kwargs,
        )

    return _withdraw


@pytest.mark.parametrize(
    ("on", "status"),
    [
        (datetime.date(2026, 1, 9), NOT_ASKED),
        (JAN_10, GIVEN),
        (datetime.date(2026, 2, 28), GIVEN),  # earlier answers do not change
        (MAR_1, WITHDRAWN),  # at once, from its own date
        (datetime.date(2027, 1, 1), WITHDRAWN),
    ],
)
def test_a_withdrawal_counts_from_its_date_and_not_before(record, withdraw, maya, on, status):
    record(maya, purpose="partner:police", decided_on=JAN_10)
    withdraw(maya, "partner:police", MAR_1)
    assert consent_state(person=maya, purpose="partner:police", on=on).status == status


def test_a_withdrawal_recorded_late_does_not_rewrite_the_days_before_it(record, withdraw, maya):
    record(maya, purpose="programme", decided_on=JAN_10)
    before = consent_state(person=maya, purpose="programme", on=datetime.date(2026, 2, 1))
    withdraw(maya, "programme", MAR_1)
    after = consent_state(person=maya, purpose="programme", on=datetime.date(2026, 2, 1))
    assert before == after


def test_given_and_withdrawn_on_the_same_day_reads_as_withdrawn(record, withdraw, maya):
    record(maya, purpose="partner:gp", decided_on=MAR_1)
    withdraw(maya, "partner:gp", MAR_1)
    assert consent_state(person=maya, purpose="partner:gp", on=MAR_1).status == WITHDRAWN


def test_consent_given_again_after_a_withdrawal_counts_from_the_new_date(record, withdraw, maya):
    record(maya, purpose="partner:gp", decided_on=JAN_10)
    withdraw(maya, "partner:gp", MAR_1)
    again = record(maya, purpose="partner:gp", decided_on=datetime.date(2026, 4, 1))
    assert consent_state(person=maya, purpose="partner:gp", on=datetime.date(2026, 3, 15)).status == WITHDRAWN
    assert consent_state(person=maya, purpose="partner:gp", on=datetime.date(2026, 4, 1)).record == again


def test_withdrawing_the_agreement_to_work_prompts_closing_the_case_as_consent_withdrawn(
    record, withdraw, maya
):
    record(maya, purpose="service", decided_on=JAN_10)
    record(maya, purpose="record", decided_on=JAN_10)
    outcome = withdraw(maya, "service", MAR_1)
    assert outcome.prompt_case_closure is True
    assert outcome.closure_reason == Case.ClosureReason.CONSENT_WITHDRAWN
    assert outcome.record.decision == WITHDRAWN
    assert outcome.work_gate.allowed is False


def test_withdrawing_a_sharing_wish_does_not_prompt_closure(record, withdraw, maya):
    record(maya, purpose="partner:police", decided_on=JAN_10)
    outcome = withdraw(maya, "partner:police", MAR_1)
    assert (outcome.prompt_case_closure, outcome.closure_reason) == (False, "")


def test_the_outcome_says_when_someone_else_still_agrees_to_work(record, withdraw, maya, tia, today):
    # Tia turned 16 forty days ago.
    for person in (maya, tia):
        record(person, purpose="service", decided_on=today - datetime.timedelta(days=30))
        record(person, purpose="record", decided_on=today - datetime.timedelta(days=30))
    outcome = withdraw(maya, "service", today - datetime.timedelta(days=5))
    assert outcome.prompt_case_closure is True
    assert outcome.work_gate.allowed is True
    assert "Tia Reid" in outcome.work_gate.reasons[0]


def test_a_parent_withdraws_for_a_child_under_16(record, withdraw, maya, leo):
    record(
        leo,
        purpose="partner:school",
        decided_by=maya,
        capacity=Capacity.PARENTAL_RESPONSIBILITY,
        decided_on=JAN_10,
    )
    outcome = withdraw(
        leo, "partner:school", MAR_1, decided_by=maya, capacity=Capacity.PARENTAL_RESPONSIBILITY
    )
    assert outcome.record.decided_by == maya
    assert consent_state(person=leo, purpose="partner:school", on=MAR_1).status == WITHDRAWN
