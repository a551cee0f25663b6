"""A restriction of processing (UK GDPR Art 18; SPEC §8.2) is in force from the day it is granted until
the day it is lifted; the sharing check asks `restriction_in_force`."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from cases.factories import PersonFactory
from sar.factories import RightsRequestFactory
from sar.models import LIFTED_EARLY, LIFTED_NOT_RESTRICTION, RightsRequest
from sar.selectors import restriction_in_force, restrictions_in_force

pytestmark = pytest.mark.django_db

Kind = RightsRequest.Kind
Decision = RightsRequest.Decision
GRANTED_ON = date(2026, 3, 2)
LIFTED_ON = date(2026, 6, 1)


def _request(person, **fields):
    fields.setdefault("kind", Kind.RESTRICTION)
    fields.setdefault("received_on", date(2026, 3, 1))
    fields.setdefault("decision", Decision.GRANTED)
    fields.setdefault("decided_on", GRANTED_ON)
    return RightsRequestFactory(subject=person, **fields)


@pytest.mark.parametrize(
    ("on", "in_force"),
    [
        (GRANTED_ON - timedelta(days=1), False),  # not before it is granted
        (GRANTED_ON, True),  # from the day of the decision
        (LIFTED_ON - timedelta(days=1), True),
        (LIFTED_ON, False),  # lifted from that day
    ],
)
def test_a_restriction_is_in_force_from_its_grant_until_it_is_lifted(on, in_force):
    person = PersonFactory()
    _request(person, lifted_on=LIFTED_ON)
    assert restriction_in_force(person=person, on=on) is in_force


def test_a_restriction_not_lifted_stays_in_force():
    person = PersonFactory()
    _request(person)
    assert restriction_in_force(person=person, on=date(2030, 1, 1))


@pytest.mark.parametrize(
    "fields",
    [
        {"decision": Decision.REFUSED, "decision_reason": "Accuracy was confirmed."},
        {"decision": "", "decided_on": None},  # still being decided
        {"kind": Kind.ERASURE},
        {"kind": Kind.RECTIFICATION},
    ],
    ids=["refused", "undecided", "erasure", "rectification"],
)
def test_only_a_granted_restriction_restricts(fields):
    person = PersonFactory()
    _request(person, **fields)
    assert not restriction_in_force(person=person, on=date(2026, 4, 1))


def test_a_partly_granted_restriction_restricts():
    person = PersonFactory()
    _request(person, decision=Decision.PARTLY, decision_reason="Only the school records.")
    assert restriction_in_force(person=person, on=date(2026, 4, 1))


def test_a_restriction_is_about_its_subject_only():
    person, other = PersonFactory(), PersonFactory()
    _request(person)
    assert not restriction_in_force(person=other, on=date(2026, 4, 1))
    assert list(restrictions_in_force(on=date(2026, 4, 1)).values_list("subject", flat=True)) == [person.pk]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lifted_on": date(2026, 3, 1)}, LIFTED_EARLY),
        ({"kind": Kind.ERASURE, "lifted_on": LIFTED_ON}, LIFTED_NOT_RESTRICTION),
        (
            {"decision": Decision.REFUSED, "decision_reason": "No.", "lifted_on": LIFTED_ON},
            LIFTED_NOT_RESTRICTION,
        ),
    ],
    ids=["before the grant", "not a restriction", "refused"],
)
def test_lifting_is_refused_when_it_makes_no_sense(fields, message):
    request = RightsRequestFactory.build(
        subject=None,
        kind=fields.pop("kind", Kind.RESTRICTION),
        received_on=date(2026, 3, 1),
        decision=fields.pop("decision", Decision.GRANTED),
        decided_on=GRANTED_ON,
        **fields,
    )
    with pytest.raises(ValidationError) as error:
        request.full_clean()
    assert message in error.value.message_dict["lifted_on"]
