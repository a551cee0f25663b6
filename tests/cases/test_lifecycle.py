"""Referral → accepted case → notes → closure with its destruction date → reopening (SPEC §4, §7)."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.factories import CaseFactory, FamilyFactory, MembershipFactory, PersonFactory
from cases.models import Case, CaseEvent, CaseNote, Membership, Referral
from cases.services import (
    add_member,
    add_note,
    close_case,
    decide_referral,
    record_referral,
    reopen_case,
)
from consent.factories import give_agreement
from fss.core.models import AccessLogEntry
from retention.selectors import family_destruction_date

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _referral(by, team, **kwargs):
    return record_referral(
        team=team,
        received_on=kwargs.pop("received_on", TODAY() - timedelta(days=10)),
        source=kwargs.pop("source", Referral.Source.SCHOOL),
        reason="Attendance has fallen to 60% this term.",
        address={"line_1": "1 Example Road", "town": "Aylesbury", "postcode": "HP20 1UA"},
        by=by,
        **kwargs,
    )


def _with_child(referral, by, age=9):
    add_member(
        family=referral.family,
        role=Membership.Role.CHILD,
        start_date=referral.received_on,
        person_fields={"given_name": "Ada", "family_name": "Example", "date_of_birth": _born(age)},
        by=by,
    )


def _born(age):
    return TODAY() - relativedelta(years=age, days=30)


def test_a_referral_creates_a_family_held_by_the_team(caseworker, north_team):
    referral = _referral(caseworker, north_team)
    family = referral.family
    assert family.team == north_team
    assert family.addresses.get().postcode == "HP20 1UA"
    assert caseworker.has_perm("cases.change_family", family)
    assert referral.history.first().history_user == caseworker
    assert AccessLogEntry.objects.filter(family_id=family.pk, record_type="cases.referral").exists()


def test_a_step_down_referral_names_the_social_care_team(caseworker, north_team):
    with pytest.raises(ValidationError, match="stepping down from"):
        _referral(caseworker, north_team, source=Referral.Source.SOCIAL_CARE_STEP_DOWN)
    referral = _referral(
        caseworker, north_team, source=Referral.Source.SOCIAL_CARE_STEP_DOWN, source_team="Aylesbury CIN team"
    )
    assert referral.source_team == "Aylesbury CIN team"


def test_a_future_referral_date_is_refused_and_nothing_is_saved(caseworker, north_team):
    with pytest.raises(ValidationError, match="today or in the past"):
        _referral(caseworker, north_team, received_on=TODAY() + timedelta(days=1))
    assert not Referral.objects.exists()


def test_accepting_an_eligible_referral_opens_a_case(caseworker, north_team):
    referral = _referral(caseworker, north_team)
    _with_child(referral, caseworker)
    case = decide_referral(
        referral=referral, decision=Referral.Decision.ACCEPT, decided_on=TODAY(), by=caseworker
    )
    assert case.status == Case.Status.OPEN
    assert case.referral == referral
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.OPENED]
    referral.refresh_from_db()
    assert (referral.decision, referral.decided_by) == (Referral.Decision.ACCEPT, caseworker)


def test_an_ineligible_referral_is_refused_with_the_reason(caseworker, north_team):
    referral = _referral(caseworker, north_team)
    _with_child(referral, caseworker, age=22)
    with pytest.raises(ValidationError, match="not eligible.*aged 19 or under"):
        decide_referral(
            referral=referral, decision=Referral.Decision.ACCEPT, decided_on=TODAY(), by=caseworker
        )
    referral.refresh_from_db()
    assert referral.decision == ""
    assert not Case.objects.exists()


def test_only_a_manager_may_accept_an_ineligible_family_as_an_exception(caseworker, manager, north_team):
    referral = _referral(caseworker, north_team)
    _with_child(referral, caseworker, age=22)
    with pytest.raises(ValidationError, match="Only a team manager"):
        decide_referral(
            referral=referral,
            decision=Referral.Decision.ACCEPT,
            decided_on=TODAY(),
            by=caseworker,
            eligibility_exception_reason="Care leaver with no SEND diagnosis yet",
        )
    case = decide_referral(
        referral=referral,
        decision=Referral.Decision.ACCEPT,
        decided_on=TODAY(),
        by=manager,
        eligibility_exception_reason="Care leaver with no SEND diagnosis yet",
    )
    referral.refresh_from_db()
    assert case is not None
    assert referral.eligibility_exception_reason == "Care leaver with no SEND diagnosis yet"


def test_a_referral_is_decided_once(caseworker, north_team):
    referral = _referral(caseworker, north_team)
    decide_referral(referral=referral, decision=Referral.Decision.SIGNPOST, decided_on=TODAY(), by=caseworker)
    with pytest.raises(ValidationError, match="already been decided"):
        decide_referral(
            referral=referral, decision=Referral.Decision.ACCEPT, decided_on=TODAY(), by=caseworker
        )


def test_closing_sets_the_destruction_date_seven_calendar_years_on(caseworker):
    case = CaseFactory(opened_on=date(2023, 6, 1))
    close_case(case=case, closed_on=date(2024, 2, 29), reason=Case.ClosureReason.NEEDS_MET, by=caseworker)
    assert family_destruction_date(case.family) == date(2031, 2, 28)
    assert [e.kind for e in case.events.all()] == [CaseEvent.Kind.CLOSED]


@pytest.mark.parametrize(
    ("closed_on", "reason", "message"),
    [
        (date(2023, 5, 31), Case.ClosureReason.NEEDS_MET, "on or after the date the case opened"),
        (None, Case.ClosureReason.NEEDS_MET, "today or in the past"),
        (date(2024, 1, 1), "bored", "Choose why"),
        (date(2024, 1, 1), Case.ClosureReason.STEPPED_UP, "social care team receiving"),
    ],
)
def test_bad_closures_are_refused_and_the_case_stays_open(caseworker, closed_on, reason, message):
    case = CaseFactory(opened_on=date(2023, 6, 1))
    closed_on = closed_on or TODAY() + timedelta(days=1)
    with pytest.raises(ValidationError, match=message):
        close_case(case=case, closed_on=closed_on, reason=reason, by=caseworker)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert not case.events.exists()


def test_stepping_up_records_the_receiving_team(caseworker):
    case = CaseFactory(opened_on=date(2025, 6, 1))
    close_case(
        case=case,
        closed_on=date(2025, 9, 1),
        reason=Case.ClosureReason.STEPPED_UP,
        receiving_team="Children's social care, Aylesbury",
        by=caseworker,
    )
    assert case.events.get().receiving_team == "Children's social care, Aylesbury"


def test_reopening_stops_the_clock_and_the_next_closure_restarts_it(caseworker):
    case = CaseFactory(opened_on=date(2018, 1, 1), closed=True, closed_on=date(2019, 1, 10))
    assert family_destruction_date(case.family) == date(2026, 1, 10)
    reopen_case(case=case, reopened_on=date(2025, 3, 1), by=caseworker)
    assert family_destruction_date(case.family) is None
    close_case(case=case, closed_on=date(2025, 9, 30), reason=Case.ClosureReason.DISENGAGED, by=caseworker)
    assert family_destruction_date(case.family) == date(2032, 9, 30)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.REOPENED, CaseEvent.Kind.CLOSED]


def test_a_family_whose_referral_was_not_accepted_counts_from_the_decision(caseworker, north_team):
    referral = _referral(caseworker, north_team, received_on=date(2026, 1, 5))
    assert family_destruction_date(referral.family) is None  # awaiting a decision
    decide_referral(
        referral=referral,
        decision=Referral.Decision.NO_FURTHER_ACTION,
        decided_on=date(2026, 1, 9),
        by=caseworker,
    )
    assert family_destruction_date(referral.family) == date(2033, 1, 9)


def _parent_agrees(case, by):
    mum = MembershipFactory(
        family=case.family,
        role=Membership.Role.PARENT_CARER,
        has_parental_responsibility=True,
        person=PersonFactory(age=34),
        start_date=case.opened_on - timedelta(days=400),
    ).person
    give_agreement(family=case.family, person=mum, by=by, on=TODAY())
    return mum


def test_no_note_before_the_family_agrees_to_work_and_to_recording(caseworker):
    case = CaseFactory(opened_on=TODAY() - timedelta(days=30))
    MembershipFactory(family=case.family, role=Membership.Role.PARENT_CARER, has_parental_responsibility=True)
    with pytest.raises(ValidationError, match="Record the family's agreement"):
        add_note(case=case, kind=CaseNote.Kind.VISIT, occurred_on=TODAY(), text="Visit", by=caseworker)
    assert not CaseNote.objects.exists()


def test_notes_record_people_present_and_mentioned_from_the_family_only(caseworker):
    case = CaseFactory(opened_on=TODAY() - timedelta(days=30))
    mum = _parent_agrees(case, caseworker)
    stranger = PersonFactory()
    with pytest.raises(ValidationError, match="belong to this family"):
        add_note(
            case=case,
            kind=CaseNote.Kind.VISIT,
            occurred_on=TODAY(),
            text="Home visit.",
            people_present=[mum],
            people_mentioned=[stranger],
            by=caseworker,
        )
    assert not CaseNote.objects.exists()
    note = add_note(
        case=case,
        kind=CaseNote.Kind.VISIT,
        occurred_on=TODAY(),
        text="Home visit; mum engaged well.",
        is_opinion=True,
        people_present=[mum],
        by=caseworker,
    )
    assert list(note.people_present.all()) == [mum]
    assert note.is_opinion
    assert note.author == caseworker


def test_a_person_is_not_added_to_the_same_family_twice(caseworker):
    membership = MembershipFactory()
    with pytest.raises(ValidationError, match="already a member"):
        add_member(
            family=membership.family,
            person=membership.person,
            role=Membership.Role.CHILD,
            start_date=TODAY(),
            by=caseworker,
        )


def test_a_future_date_of_birth_is_refused(caseworker):
    family = FamilyFactory()
    with pytest.raises(ValidationError, match="Date of birth must be today or in the past"):
        add_member(
            family=family,
            role=Membership.Role.CHILD,
            start_date=TODAY(),
            person_fields={
                "given_name": "A",
                "family_name": "B",
                "date_of_birth": TODAY() + timedelta(days=3),
            },
            by=caseworker,
        )
