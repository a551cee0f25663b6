"""Manager approval of safeguarding shares and over-ruled wishes, and the DPO's review (SPEC §6.2)."""

import pytest
from django.core.exceptions import ValidationError

from consent.models import ConsentRecord
from fss.core import roles
from fss.core.factories import UserFactory
from sharing.check import Safeguarding
from sharing.models import DisclosureApproval, DpoReview
from sharing.selectors import approval_queue, awaiting_dpo_review
from sharing.services import decide_approval, record_disclosure, record_dpo_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def over_ruled(agreement, family, maya, dan, police, caseworker, consent, today):
    """Maya and Dan both withdrew their wishes; the worker shares anyway with a reason."""
    for person in (maya, dan):
        consent(person, "partner:police", ConsentRecord.Decision.WITHDRAWN)
    return record_disclosure(
        family=family,
        people=[maya, dan],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today,
        by=caseworker,
        expected=None,
        override_reason="Police need to find Leo's father to protect Leo.",
        family_told=True,
        transfer_method="secure_email",
    )


@pytest.fixture
def safeguarding_share(family, maya, police, caseworker, today):
    return record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity", "address"],
        purpose="safeguarding",
        on=today,
        by=caseworker,
        expected=None,
        safeguarding=Safeguarding("Threats made to the children last night.", immediate_risk=True),
        family_told=False,
        family_not_told_reason="Telling Maya's partner would raise the risk.",
        transfer_method="phone",
    )


def test_the_queue_lists_decisions_waiting_in_the_managers_families(over_ruled, manager, other_caseworker):
    [decision] = approval_queue(user=manager)
    assert decision.decision_id == over_ruled[0].decision_id
    assert len(decision.disclosures) == 2
    south_manager = UserFactory(roles=[roles.TEAM_MANAGER], team=other_caseworker.teams.first())
    assert approval_queue(user=south_manager) == []


def test_a_manager_approves_every_person_in_the_decision(over_ruled, manager):
    approvals = decide_approval(decision_id=over_ruled[0].decision_id, approve=True, by=manager)
    assert [a.outcome for a in approvals] == ["approved", "approved"]
    for disclosure in over_ruled:
        disclosure.refresh_from_db()
        assert disclosure.approval_state == "approved"
        assert disclosure.was_sent is True
    assert approval_queue(user=manager) == []


def test_a_declined_share_was_never_sent(over_ruled, manager):
    decide_approval(
        decision_id=over_ruled[0].decision_id, approve=False, comment="Not proportionate.", by=manager
    )
    disclosure = over_ruled[0]
    disclosure.refresh_from_db()
    assert disclosure.approval_state == "declined"
    assert disclosure.was_sent is False


@pytest.mark.parametrize(
    ("who", "approve", "comment", "message"),
    [
        ("colleague", True, "", "Only a team manager can approve or decline a share."),
        ("south_manager", True, "", "You can approve only shares about families your team holds."),
        ("manager", False, "", "Say why you are declining the share."),
    ],
)
def test_approval_is_refused_with_a_clear_message(over_ruled, request, who, approve, comment, message):
    if who == "south_manager":
        by = UserFactory(roles=[roles.TEAM_MANAGER], team=request.getfixturevalue("south_team"))
    else:
        by = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as error:
        decide_approval(decision_id=over_ruled[0].decision_id, approve=approve, comment=comment, by=by)
    assert message in " ".join(error.value.messages)
    assert not DisclosureApproval.objects.exists()


def test_a_manager_cannot_approve_their_own_share(agreement, family, maya, police, manager, consent, today):
    consent(maya, "partner:police", ConsentRecord.Decision.REFUSED)
    [disclosure] = record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today,
        by=manager,
        expected=None,
        override_reason="Court order.",
        family_told=True,
        transfer_method="secure_email",
    )
    with pytest.raises(ValidationError) as error:
        decide_approval(decision_id=disclosure.decision_id, approve=True, by=manager)
    assert error.value.messages == [
        "You recorded this share, so you cannot approve it yourself: ask another manager to approve it."
    ]


def test_a_decision_is_approved_once(over_ruled, manager, north_team):
    decide_approval(decision_id=over_ruled[0].decision_id, approve=True, by=manager)
    second = UserFactory(roles=[roles.TEAM_MANAGER], team=north_team)
    with pytest.raises(ValidationError, match="already approved by"):
        decide_approval(decision_id=over_ruled[0].decision_id, approve=False, comment="No", by=second)


def test_nothing_to_approve_is_refused(agreement, family, maya, police, caseworker, manager, today):
    [disclosure] = record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today,
        by=caseworker,
        expected=None,
        family_told=True,
        transfer_method="secure_email",
    )
    with pytest.raises(ValidationError, match="Nothing in this decision needs a manager's approval."):
        decide_approval(decision_id=disclosure.decision_id, approve=True, by=manager)


def test_immediate_safeguarding_is_approved_afterwards_and_reviewed_by_the_dpo(
    safeguarding_share, manager, dpo
):
    [disclosure] = safeguarding_share
    assert disclosure.was_sent is True
    assert [d.decision_id for d in approval_queue(user=manager)] == [disclosure.decision_id]
    assert [d.decision_id for d in awaiting_dpo_review()] == [disclosure.decision_id]
    decide_approval(decision_id=disclosure.decision_id, approve=True, by=manager)
    record_dpo_review(decision_id=disclosure.decision_id, note="Necessary and proportionate.", by=dpo)
    assert awaiting_dpo_review() == []
    assert DpoReview.objects.get().reviewed_by == dpo


@pytest.mark.parametrize(
    ("who", "note", "message"),
    [
        ("manager", "Fine.", "Only the Data Protection Officer reviews safeguarding shares."),
        ("dpo", " ", "Record what you found."),
    ],
)
def test_dpo_review_refusals(safeguarding_share, request, who, note, message):
    with pytest.raises(ValidationError) as error:
        record_dpo_review(
            decision_id=safeguarding_share[0].decision_id, note=note, by=request.getfixturevalue(who)
        )
    assert message in " ".join(error.value.messages)


def test_a_share_without_safeguarding_is_not_for_dpo_review(over_ruled, dpo):
    with pytest.raises(ValidationError, match="Nothing in this decision is waiting for the DPO's review."):
        record_dpo_review(decision_id=over_ruled[0].decision_id, note="Looked.", by=dpo)


def test_a_restriction_placed_while_waiting_stops_the_approval(over_ruled, maya, manager, restrict, today):
    restrict(maya, on=today)
    with pytest.raises(ValidationError, match="Maya Reid is now under a restriction of processing"):
        decide_approval(decision_id=over_ruled[0].decision_id, approve=True, by=manager)
    decide_approval(decision_id=over_ruled[0].decision_id, approve=False, comment="Restricted.", by=manager)


def test_a_share_awaiting_approval_is_not_flagged(over_ruled, maya, today):
    from sharing.services import flag_disclosures_relying_on

    assert flag_disclosures_relying_on(person=maya, on=today, reason="restriction") == []
