"""Family, person and case records hold their invariants (SPEC §4.1)."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from cases.factories import CaseFactory, FamilyFactory, PersonFactory
from cases.models import Case, Person, new_family_reference

pytestmark = pytest.mark.django_db


def test_family_reference_is_random_readable_and_unique():
    references = {new_family_reference() for _ in range(500)}
    assert len(references) == 500
    for reference in references:
        assert re.fullmatch(r"FSS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference)


def test_family_reference_is_not_derived_from_the_family():
    family = FamilyFactory()
    assert family.reference.startswith("FSS-")
    assert str(family.team) not in family.reference


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # leap-day birthday not yet reached
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2007, 11, 26), date(2026, 11, 25), 18),
        (date(2007, 11, 26), date(2026, 11, 26), 19),
    ],
)
def test_age_in_completed_years_uses_calendar_arithmetic(born, on, age):
    assert Person(date_of_birth=born).age_on(on) == age


def test_age_is_unknown_for_an_unborn_child():
    assert Person(expected_date_of_birth=date(2027, 1, 1)).age_on(date(2026, 11, 26)) is None


def test_a_person_has_a_date_of_birth_or_an_expected_one_not_both():
    person = PersonFactory.build(date_of_birth=date(2020, 1, 1), expected_date_of_birth=date(2027, 1, 1))
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "not both" in str(error.value)
    with pytest.raises(IntegrityError):
        person.save()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Case.Status.CLOSED, "closed_on": None, "closure_reason": "needs_met"},
        {"status": Case.Status.CLOSED, "closed_on": date(2026, 1, 1), "closure_reason": ""},
        {"status": Case.Status.OPEN, "closed_on": date(2026, 1, 1), "closure_reason": ""},
        {
            "status": Case.Status.CLOSED,
            "closed_on": date(2019, 1, 1),
            "closure_reason": "needs_met",
        },
    ],
)
def test_case_closure_date_and_reason_must_match_its_status(fields):
    with pytest.raises(IntegrityError):
        CaseFactory(opened_on=date(2020, 1, 1), **fields)


def test_changes_to_a_person_keep_history_with_who_made_them(caseworker):
    person = PersonFactory(given_name="Alex")
    person.given_name = "Alexandra"
    person._history_user = caseworker
    person.save()
    assert [h.given_name for h in person.history.all()] == ["Alexandra", "Alex"]
    assert person.history.first().history_user == caseworker
