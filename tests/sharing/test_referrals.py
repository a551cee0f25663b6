"""Outbound referrals to partners: sent → acknowledged → accepted / declined (with reason) → completed,
and a reminder when a partner has not answered (SPEC §6.2)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from sharing.factories import OrganisationFactory, PartnerReferralEventFactory, PartnerReferralFactory
from sharing.models import PartnerReferralEvent
from sharing.selectors import partner_referrals, referrals_awaiting_response
from sharing.services import (
    record_disclosure,
    record_referral_response,
    referral_status,
    send_partner_referral,
)

pytestmark = pytest.mark.django_db

Status = PartnerReferralEvent.Status
DAY = datetime.timedelta(days=1)


@pytest.fixture
def decision(agreement, family, maya, police, caseworker, today):
    [disclosure] = record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today - 3 * DAY,
        by=caseworker,
        expected=None,
        family_told=True,
        transfer_method="secure_email",
    )
    return disclosure


@pytest.fixture
def referral(decision, family, caseworker, today):
    return send_partner_referral(
        family=family,
        decision_id=decision.decision_id,
        service_requested="Youth diversion scheme",
        reason="Tia asked for support after the incident at school.",
        sent_on=today - 2 * DAY,
        by=caseworker,
    )


def test_a_referral_rests_on_a_decision_to_share_and_starts_as_sent(referral, police):
    assert referral.organisation == police
    assert referral_status(referral).status == Status.SENT


def test_the_full_journey(referral, caseworker, today):
    for status in (Status.ACKNOWLEDGED, Status.ACCEPTED, Status.COMPLETED):
        record_referral_response(referral=referral, status=status, on=today, by=caseworker)
    [row] = partner_referrals(family=referral.family)
    assert row.status == Status.COMPLETED
    assert [e.status for e in row.events.all()] == ["sent", "acknowledged", "accepted", "completed"]


def test_a_decline_needs_its_reason(referral, caseworker, today):
    with pytest.raises(ValidationError) as error:
        record_referral_response(referral=referral, status=Status.DECLINED, on=today, by=caseworker)
    assert error.value.message_dict["reason"] == ["Give the partner's reason for declining."]
    event = record_referral_response(
        referral=referral, status=Status.DECLINED, on=today, reason="Outside our area.", by=caseworker
    )
    assert event.reason == "Outside our area."


@pytest.mark.parametrize(
    ("steps", "next_status", "message"),
    [
        ([], Status.COMPLETED, "The referral is sent: it can next be accepted, acknowledged, declined."),
        (
            [Status.ACCEPTED, Status.COMPLETED],
            Status.ACKNOWLEDGED,
            "The referral is completed: nothing can follow.",
        ),
        ([Status.ACKNOWLEDGED], Status.SENT, "it can next be accepted, declined."),
    ],
)
def test_a_step_that_cannot_follow_is_refused(referral, caseworker, today, steps, next_status, message):
    for step in steps:
        record_referral_response(referral=referral, status=step, on=today, by=caseworker)
    with pytest.raises(ValidationError) as error:
        record_referral_response(referral=referral, status=next_status, on=today, by=caseworker)
    assert message in error.value.message_dict["status"][0]


def test_a_step_cannot_be_dated_before_the_last_one(referral, caseworker, today):
    with pytest.raises(ValidationError) as error:
        record_referral_response(
            referral=referral, status=Status.ACKNOWLEDGED, on=today - 10 * DAY, by=caseworker
        )
    assert "cannot be before the last step" in error.value.message_dict["on"][0]


def test_a_referral_cannot_rest_on_a_decision_not_to_share(
    agreement, family, maya, police, caseworker, today
):
    [not_shared] = record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today,
        by=caseworker,
        expected=None,
        share=False,
        not_sharing_reason="Family asked us not to.",
        family_told=True,
    )
    with pytest.raises(ValidationError) as error:
        send_partner_referral(
            family=family,
            decision_id=not_shared.decision_id,
            service_requested="Anything",
            reason="Because",
            sent_on=today,
            by=caseworker,
        )
    assert "shared nothing" in error.value.message_dict["decision_id"][0]


def test_reminder_lists_referrals_without_an_answer_after_the_partners_days(db, today):
    quick = OrganisationFactory(name="Quick partner", referral_response_days=5)
    slow = OrganisationFactory(name="Slow partner", referral_response_days=20)
    overdue = PartnerReferralFactory(organisation=quick, sent_on=today - 6 * DAY)
    patient = PartnerReferralFactory(organisation=slow, sent_on=today - 6 * DAY)  # within its 20 days
    answered = PartnerReferralFactory(organisation=quick, sent_on=today - 30 * DAY)
    PartnerReferralEventFactory(referral=answered, status=Status.ACCEPTED, on=today - 25 * DAY)
    acknowledged_only = PartnerReferralFactory(organisation=quick, sent_on=today - 30 * DAY)
    PartnerReferralEventFactory(referral=acknowledged_only, status=Status.ACKNOWLEDGED, on=today - 10 * DAY)
    assert referrals_awaiting_response(on=today) == [acknowledged_only, overdue]
    assert referrals_awaiting_response(on=today, days=3) == [acknowledged_only, overdue, patient]
