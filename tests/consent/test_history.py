"""Consent records are never edited: corrections and withdrawals are new rows (SPEC §5.2)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError

from consent.factories import ConsentRecordFactory, EducationOptOutFactory
from consent.models import ConsentRecord, EducationOptOut, ImmutableRecordError
from consent.selectors import consent_state
from consent.services import withdraw_consent

pytestmark = pytest.mark.django_db

Capacity = ConsentRecord.Capacity
GIVEN = ConsentRecord.Decision.GIVEN
REFUSED = ConsentRecord.Decision.REFUSED
WITHDRAWN = ConsentRecord.Decision.WITHDRAWN
MARCH_1, MARCH_10, APRIL_1 = datetime.date(2026, 3, 1), datetime.date(2026, 3, 10), datetime.date(2026, 4, 1)


def test_a_consent_record_cannot_be_changed_in_place(record, maya):
    decided = record(maya)
    decided.decision = REFUSED
    with pytest.raises(ImmutableRecordError, match="record a correction or a withdrawal"):
        decided.save()
    assert ConsentRecord.objects.get(pk=decided.pk).decision == GIVEN


def test_bulk_updates_are_refused_too(record, maya):
    decided = record(maya)
    with pytest.raises(ImmutableRecordError):
        ConsentRecord.objects.filter(pk=decided.pk).update(decision=REFUSED)
    with pytest.raises(ImmutableRecordError):
        ConsentRecord.objects.bulk_update([decided], ["decision"])


def test_a_correction_is_a_new_record_that_replaces_the_wrong_one_for_every_date(record, maya):
    wrong = record(maya, purpose="partner:police", decided_on=MARCH_1)
    fixed = record(
        maya,
        purpose="partner:police",
        decision=REFUSED,
        decided_on=MARCH_1,
        corrects=wrong,
        note="Entered as given by mistake; the form says refused.",
    )
    assert ConsentRecord.objects.filter(person=maya).count() == 2
    assert ConsentRecord.objects.get(pk=wrong.pk).decision == GIVEN  # the history stays visible
    state = consent_state(person=maya, purpose="partner:police", on=MARCH_10)
    assert (state.status, state.record) == (REFUSED, fixed)


def test_a_correction_of_the_date_moves_the_decision(record, maya):
    wrong = record(maya, purpose="partner:gp", decided_on=MARCH_1)
    record(
        maya,
        purpose="partner:gp",
        decided_on=MARCH_10,
        corrects=wrong,
        note="Signed on the 10th, not the 1st.",
    )
    assert (
        consent_state(person=maya, purpose="partner:gp", on=datetime.date(2026, 3, 5)).status == "not_asked"
    )
    assert consent_state(person=maya, purpose="partner:gp", on=MARCH_10).status == GIVEN


def test_a_correction_must_say_why_and_be_about_the_same_person_and_purpose(record, maya, dan):
    original = record(maya, purpose="partner:school", decided_on=MARCH_1)
    with pytest.raises(ValidationError) as exc:
        record(dan, purpose="partner:school", corrects=original)
    assert exc.value.message_dict["corrects"] == [
        "A correction must be about the same person, purpose and family."
    ]
    assert exc.value.message_dict["note"] == ["Say what was wrong with the record you are correcting."]


def test_only_the_latest_correction_can_be_corrected(record, maya):
    original = record(maya, purpose="partner:hospital", decided_on=MARCH_1)
    record(
        maya, purpose="partner:hospital", decision=REFUSED, decided_on=MARCH_1, corrects=original, note="Typo"
    )
    with pytest.raises(ValidationError, match="already been corrected"):
        record(maya, purpose="partner:hospital", decided_on=MARCH_1, corrects=original, note="Again")


def test_correcting_a_withdrawal_checks_against_the_records_it_does_not_replace(record, maya):
    record(maya, decided_on=MARCH_1)
    withdrawal = record(maya, decision=WITHDRAWN, decided_on=MARCH_10)
    moved = record(
        maya, decision=WITHDRAWN, decided_on=APRIL_1, corrects=withdrawal, note="Withdrew in April"
    )
    assert consent_state(person=maya, purpose="service", on=datetime.date(2026, 3, 20)).status == GIVEN
    assert consent_state(person=maya, purpose="service", on=APRIL_1).record == moved


def test_destroying_the_family_takes_every_record_and_correction_with_it(record, family, maya, leo):
    original = record(leo, decided_by=maya, capacity=Capacity.PARENTAL_RESPONSIBILITY, decided_on=MARCH_1)
    record(
        leo,
        decided_by=maya,
        capacity=Capacity.PARENTAL_RESPONSIBILITY,
        decision=REFUSED,
        decided_on=MARCH_1,
        corrects=original,
        note="Mother refused",
    )
    family.delete()  # what the retention sweep does (SPEC §7)
    assert not ConsentRecord.objects.exists()


def test_a_decider_cannot_be_deleted_alone_while_records_about_someone_else_name_them(record, maya, leo):
    record(leo, decided_by=maya, capacity=Capacity.PARENTAL_RESPONSIBILITY)
    with pytest.raises(RestrictedError):
        maya.delete()


def test_a_withdrawal_leaves_the_given_record_in_place(record, maya, caseworker, family):
    given = record(maya, purpose="programme", decided_on=MARCH_1)
    withdraw_consent(
        person=maya,
        family=family,
        purpose="programme",
        decided_by=maya,
        capacity=Capacity.SELF,
        method=ConsentRecord.Method.VERBAL,
        decided_on=MARCH_10,
        by=caseworker,
    )
    assert ConsentRecord.objects.get(pk=given.pk).decision == GIVEN
    assert list(
        ConsentRecord.objects.filter(person=maya).values_list("decision", flat=True).order_by("pk")
    ) == [
        GIVEN,
        WITHDRAWN,
    ]


def test_an_education_opt_out_is_never_changed_in_place():
    opt_out = EducationOptOutFactory()
    opt_out.status = EducationOptOut.Status.ENDED
    with pytest.raises(ImmutableRecordError):
        opt_out.save()
    with pytest.raises(ImmutableRecordError):
        EducationOptOut.objects.update(status=EducationOptOut.Status.ENDED)


def test_the_record_factory_makes_a_valid_default():
    made = ConsentRecordFactory()
    assert (made.decision, made.capacity, made.decided_by) == (GIVEN, Capacity.SELF, made.person)
    assert made.notice_version.is_published
