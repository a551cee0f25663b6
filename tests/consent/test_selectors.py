"""What consent says: the sharing check's question, the work gate, the family page's matrix,
reviews due, and the education opt-out (SPEC §4.4, §5.2, §6.2)."""

import datetime
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from cases.factories import FamilyFactory, MembershipFactory
from consent.models import ConsentRecord
from consent.selectors import (
    NOT_ASKED,
    consent_matrix,
    consent_state,
    education_opt_out_in_force,
    reviews_due,
    work_may_start,
)
from consent.services import end_education_opt_out, record_education_opt_out
from tests.consent.conftest import Role, add_member

pytestmark = pytest.mark.django_db

Capacity = ConsentRecord.Capacity
GIVEN = ConsentRecord.Decision.GIVEN
REFUSED = ConsentRecord.Decision.REFUSED
WITHDRAWN = ConsentRecord.Decision.WITHDRAWN
PR = Capacity.PARENTAL_RESPONSIBILITY


def _join(person, family, role=Role.PARENT_CARER, pr=True):
    MembershipFactory(
        person=person,
        family=family,
        role=role,
        has_parental_responsibility=pr,
        start_date=datetime.date(2019, 1, 1),
    )


# --- consent_state: the question the sharing check asks


def test_a_person_never_asked_reads_as_not_asked(maya, today):
    state = consent_state(person=maya, purpose="partner:police", on=today)
    assert (state.status, state.record, state.decided_on, state.label) == (NOT_ASKED, None, None, "Not asked")


def test_the_state_carries_the_deciding_record_and_its_date(record, maya, today):
    refused = record(maya, purpose="partner:police", decision=REFUSED, decided_on=today - timedelta(days=2))
    state = consent_state(person=maya, purpose="partner:police", on=today)
    assert (state.status, state.record, state.decided_on) == (REFUSED, refused, refused.decided_on)
    assert not state.is_given
    assert state.label.startswith("Refused on ")


def test_a_mistyped_purpose_fails_loudly_rather_than_reading_as_not_asked(maya, today):
    with pytest.raises(ValidationError):
        consent_state(person=maya, purpose="police", on=today)


def test_sharing_wishes_are_the_persons_own_whichever_family_recorded_them(record, maya, today):
    other = FamilyFactory()
    _join(maya, other)
    record(maya, purpose="partner:gp", decision=REFUSED, family=other)
    assert consent_state(person=maya, purpose="partner:gp", on=today).status == REFUSED
    assert consent_state(person=maya, purpose="partner:gp", on=today, family=other).status == REFUSED


def test_decisions_can_be_read_for_one_family_only(record, family, maya, today):
    other = FamilyFactory()
    _join(maya, other)
    record(maya, purpose="service", family=other)
    assert consent_state(person=maya, purpose="service", on=today).status == GIVEN
    assert consent_state(person=maya, purpose="service", on=today, family=family).status == NOT_ASKED


# --- work_may_start: the gate the cases app checks before assessments, plans and notes


def _agree(record, person, purposes=("service", "record"), **kwargs):
    for purpose in purposes:
        record(person, purpose=purpose, **kwargs)


@pytest.mark.parametrize(
    ("story", "allowed", "reason"),
    [
        ("parent with PR agrees to both", True, "Maya Reid has agreed"),
        ("young person of 16 agrees to both", True, "Tia Reid has agreed"),
        (
            "parent with PR agrees only to work",
            False,
            "agreement to gather and store information not recorded",
        ),
        ("parent with PR refuses recording", False, "agreement to gather and store information refused on"),
        ("parent without PR agrees to both", False, "No one in the family can agree"),
        ("competent child of 15 agrees to both", False, "No one in the family can agree"),
        ("one parent agrees to work, the young person to recording", False, "not recorded"),
        ("parent with PR agrees, then withdraws recording", False, "withdrawn on"),
        ("nobody has been asked", False, "Maya Reid: agreement to work with the service not recorded"),
    ],
)
def test_work_starts_only_with_both_agreements_from_someone_who_can_give_them(
    family, record, today, story, allowed, reason
):
    earlier = today - timedelta(days=5)
    # Who is in the family depends on the story; only those it names.
    maya = dan = tia = leo = None
    if "without PR" in story:
        dan = add_member(family, Role.PARENT_CARER, pr=False, given_name="Dan", age=38)
    elif "competent child" in story:
        leo = add_member(
            family, Role.CHILD, given_name="Leo", date_of_birth=today - relativedelta(years=15, days=9)
        )
    else:
        maya = add_member(family, Role.PARENT_CARER, pr=True, given_name="Maya", family_name="Reid", age=34)
    if "young person" in story:
        tia = add_member(
            family,
            Role.YOUNG_PERSON,
            given_name="Tia",
            family_name="Reid",
            date_of_birth=today - relativedelta(years=16),
        )

    if story == "parent with PR agrees to both":
        _agree(record, maya)
    elif story == "young person of 16 agrees to both":
        _agree(record, tia)
    elif story == "parent with PR agrees only to work":
        _agree(record, maya, ["service"])
    elif story == "parent with PR refuses recording":
        record(maya, purpose="service")
        record(maya, purpose="record", decision=REFUSED)
    elif story == "parent without PR agrees to both":
        _agree(record, dan)
    elif story == "competent child of 15 agrees to both":
        _agree(record, leo, capacity=Capacity.COMPETENT_CHILD, child_is_competent=True)
    elif story == "one parent agrees to work, the young person to recording":
        record(maya, purpose="service")
        record(tia, purpose="record")
    elif story == "parent with PR agrees, then withdraws recording":
        _agree(record, maya, decided_on=earlier)
        record(maya, purpose="record", decision=WITHDRAWN)

    gate = work_may_start(family=family, on=today)
    assert gate.allowed is allowed
    assert bool(gate) is allowed
    assert any(reason in line for line in gate.reasons), gate.reasons


def test_work_cannot_start_before_the_agreement_was_given(family, record, maya, today):
    _agree(record, maya, decided_on=today - timedelta(days=3))
    assert not work_may_start(family=family, on=today - timedelta(days=4)).allowed
    assert work_may_start(family=family, on=today - timedelta(days=3)).allowed


def test_agreement_for_an_earlier_case_does_not_open_a_new_one(family, record, maya, today):
    _agree(record, maya, decided_on=datetime.date(2024, 5, 1))
    gate = work_may_start(family=family, on=today, since=today - timedelta(days=10))
    assert not gate.allowed
    assert "before this case began" in gate.reasons[0]


def test_agreement_in_another_family_does_not_open_this_one(family, record, maya, today):
    other = FamilyFactory()
    _join(maya, other)
    _agree(record, maya, family=other)
    assert work_may_start(family=other, on=today).allowed
    assert not work_may_start(family=family, on=today).allowed


def test_a_parent_who_has_left_the_family_no_longer_counts(family, record, today):
    parent = add_member(family, Role.PARENT_CARER, pr=True, age=40, end=today - timedelta(days=1))
    _agree(record, parent, decided_on=today - timedelta(days=30))
    assert not work_may_start(family=family, on=today).allowed
    assert work_may_start(family=family, on=today - timedelta(days=2)).allowed


# --- consent_matrix: the family page


def test_the_matrix_shows_each_member_and_purpose_with_state_and_date(family, record, maya, dan, leo, today):
    record(maya, purpose="service", decided_on=today - timedelta(days=3))
    record(leo, purpose="partner:school", decided_by=maya, capacity=PR, decision=REFUSED)
    matrix = consent_matrix(family=family, on=today)
    assert [row.person for row in matrix.rows] == [dan, maya, leo]  # parents first, oldest first
    assert [p.code for p in matrix.purposes][:3] == ["service", "record", "programme"]
    assert matrix.state(maya, "service").status == GIVEN
    assert matrix.state(maya, "service").decided_on == today - timedelta(days=3)
    assert matrix.state(leo, "partner:school").status == REFUSED
    assert matrix.state(dan, "partner:police").status == NOT_ASKED
    assert len(matrix.rows[0].states) == len(matrix.purposes) == 16


def test_the_matrix_agrees_with_consent_state(family, record, maya, today):
    other = FamilyFactory()
    _join(maya, other)
    record(maya, purpose="partner:gp", decision=REFUSED, family=other)  # her wish, from any family
    record(maya, purpose="service", family=other)  # agreement for the other family only
    matrix = consent_matrix(family=family, on=today)
    assert matrix.state(maya, "partner:gp").status == REFUSED
    assert matrix.state(maya, "service").status == NOT_ASKED
    assert matrix.state(maya, "partner:gp") == consent_state(person=maya, purpose="partner:gp", on=today)


def test_the_matrix_ignores_decisions_after_its_date_and_corrected_records(family, record, maya, today):
    wrong = record(maya, purpose="programme", decided_on=today - timedelta(days=9))
    record(
        maya,
        purpose="programme",
        decision=REFUSED,
        decided_on=today - timedelta(days=9),
        corrects=wrong,
        note="x",
    )
    record(maya, purpose="partner:police", decided_on=today)
    matrix = consent_matrix(family=family, on=today - timedelta(days=1))
    assert matrix.state(maya, "programme").status == REFUSED
    assert matrix.state(maya, "partner:police").status == NOT_ASKED


@pytest.mark.parametrize("children", [1, 6])
def test_the_matrix_takes_the_same_few_queries_whatever_the_familys_size(
    family, record, maya, today, children, django_assert_num_queries
):
    for n in range(children):
        child = add_member(family, Role.CHILD, age=5 + n)
        for purpose in ("service", "record", "partner:school"):
            record(child, purpose=purpose, decided_by=maya, capacity=PR)
    with django_assert_num_queries(3):
        matrix = consent_matrix(family=family, on=today)
        assert len(matrix.rows) == children + 1


# --- reviews_due: My work


def test_reviews_due_lists_current_records_whose_review_is_near_or_past(
    family, record, maya, dan, leo, today
):
    due_soon = record(maya, purpose="partner:police", review_on=today + timedelta(days=10))
    overdue = record(
        dan, purpose="partner:gp", decided_on=today - timedelta(days=90), review_on=today - timedelta(1)
    )
    record(maya, purpose="partner:gp", review_on=today + timedelta(days=45))  # not yet
    replaced = record(
        leo,
        purpose="partner:school",
        decided_by=maya,
        capacity=PR,
        decided_on=today - timedelta(days=20),
        review_on=today + timedelta(days=5),
    )
    record(leo, purpose="partner:school", decided_by=maya, capacity=PR, decision=WITHDRAWN)
    corrected = record(maya, purpose="programme", decided_on=today - timedelta(days=9), review_on=today)
    record(
        maya,
        purpose="programme",
        decision=REFUSED,
        decided_on=today - timedelta(days=9),
        corrects=corrected,
        note="Refused, not given",
    )
    due = list(reviews_due(on=today))
    assert due == [overdue, due_soon]
    assert replaced not in due


def test_reviews_due_can_be_limited_to_the_families_a_user_sees(
    family, record, maya, today, django_assert_num_queries
):
    mine = record(maya, purpose="partner:police", review_on=today + timedelta(days=1))
    elsewhere = FamilyFactory()
    stranger = add_member(elsewhere, Role.PARENT_CARER, pr=True, age=30)
    record(stranger, family=elsewhere, purpose="partner:police", review_on=today + timedelta(days=1))
    with django_assert_num_queries(1):
        due = list(reviews_due(on=today, families=[family]))
        assert [(r, r.person.given_name, r.purpose.short_label) for r in due] == [(mine, "Maya", "Police")]


def test_a_later_decision_in_another_family_ends_a_sharing_wish_review_but_not_an_agreement_review(
    family, record, maya, today
):
    other = FamilyFactory()
    _join(maya, other)
    wish = record(maya, purpose="partner:police", decided_on=today - timedelta(days=9), review_on=today)
    agreement = record(maya, purpose="service", decided_on=today - timedelta(days=9), review_on=today)
    record(maya, purpose="partner:police", family=other)
    record(maya, purpose="service", family=other)
    due = list(reviews_due(on=today))
    assert agreement in due
    assert wish not in due


# --- the education opt-out (domain-rules §5)


def test_the_education_opt_out_is_in_force_from_its_date_until_it_ends(tia, caseworker, today):
    start, end = today - timedelta(days=60), today - timedelta(days=10)
    record_education_opt_out(person=tia, from_date=start, by=caseworker, note="Tia told her school")
    assert not education_opt_out_in_force(person=tia, on=start - timedelta(days=1))
    assert education_opt_out_in_force(person=tia, on=start)
    end_education_opt_out(person=tia, from_date=end, by=caseworker)
    assert education_opt_out_in_force(person=tia, on=end - timedelta(days=1))
    assert not education_opt_out_in_force(person=tia, on=end)
    assert tia.education_opt_outs.count() == 2


def test_the_education_opt_out_refuses_what_makes_no_sense(tia, caseworker, today):
    with pytest.raises(ValidationError, match="no opt-out in force"):
        end_education_opt_out(person=tia, from_date=today, by=caseworker)
    record_education_opt_out(person=tia, from_date=today - timedelta(days=3), by=caseworker)
    with pytest.raises(ValidationError, match="already in force"):
        record_education_opt_out(person=tia, from_date=today, by=caseworker)
    with pytest.raises(ValidationError) as exc:
        end_education_opt_out(person=tia, from_date=today + timedelta(days=1), by=caseworker)
    assert exc.value.message_dict == {"from_date": ["The date cannot be in the future."]}
