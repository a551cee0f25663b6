"""Flags on the family header (cases issue: risk visible at a glance) and restriction blocking changes."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.factories import CaseFactory, FamilyFactory, MembershipFactory, PersonFactory
from cases.models import Case
from cases.services import update_person
from retention.models import LegalHold
from sar.factories import RightsRequestFactory
from sar.models import RightsRequest

pytestmark = pytest.mark.django_db


def _flags(client, family):
    return [
        flag.label for flag in client.get(reverse("cases:family_detail", args=[family.pk])).context["flags"]
    ]


def _restrict(person):
    return RightsRequestFactory(
        subject=person,
        kind=RightsRequest.Kind.RESTRICTION,
        decision=RightsRequest.RESTRICTING_DECISIONS[0],
        decided_on=timezone.localdate(),
        decision_reason="Accuracy being checked",
    )


def test_send_ehc_stepped_up_restricted_and_held_show_on_the_header(client, caseworker, dpo, north_team):
    family = FamilyFactory(team=north_team)
    child = MembershipFactory(family=family, person=PersonFactory(has_send=True, has_ehc_plan=True)).person
    CaseFactory(family=family, closed=True, closure_reason=Case.ClosureReason.STEPPED_UP)
    client.force_login(caseworker)
    assert _flags(client, family) == ["SEND", "EHC plan", "Stepped up to social care"]
    _restrict(child)
    LegalHold.objects.create(
        family=family, reason=LegalHold.Reason.INQUIRY, review_on=timezone.localdate(), placed_by=dpo
    )
    flags = _flags(client, family)
    assert "Restricted" in flags
    assert "Legal hold" in flags


def test_a_restricted_person_cannot_be_changed(caseworker, north_team):
    family = FamilyFactory(team=north_team)
    person = MembershipFactory(family=family).person
    _restrict(person)
    with pytest.raises(ValidationError, match="restriction of processing"):
        update_person(person=person, family=family, changes={"first_language": "Welsh"}, by=caseworker)
    person.refresh_from_db()
    assert person.first_language == ""
