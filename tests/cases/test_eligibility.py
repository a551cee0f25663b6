"""Eligibility at referral (SPEC §4.2): 0–19 in completed years, or up to 25 with SEND."""

from datetime import date

import pytest

from cases.eligibility import check_eligibility
from cases.models import Person

REFERRAL = date(2026, 11, 26)


def _person(born, *, send=False, expected=None):
    return Person(pk=1, date_of_birth=born, has_send=send, expected_date_of_birth=expected)


@pytest.mark.parametrize(
    ("born", "send", "eligible"),
    [
        (date(2026, 11, 26), False, True),  # born today: aged 0
        (date(2006, 11, 27), False, True),  # 19, turns 20 tomorrow
        (date(2006, 11, 26), False, False),  # 20 today
        (date(2001, 11, 27), True, True),  # 24 with SEND
        (date(2000, 11, 27), True, True),  # 25 with SEND, turns 26 tomorrow
        (date(2000, 11, 26), True, False),  # 26 today, even with SEND
        (date(2001, 11, 27), False, False),  # 24 without SEND
        (date(2007, 2, 28), False, True),
    ],
)
def test_age_rule_on_the_referral_date(born, send, eligible):
    assert check_eligibility(people=[_person(born, send=send)], on=REFERRAL).eligible is eligible


def test_a_leap_day_birthday_turns_twenty_on_first_of_march():
    person = _person(date(2008, 2, 29))
    assert check_eligibility(people=[person], on=date(2028, 2, 28)).eligible
    assert not check_eligibility(people=[person], on=date(2028, 3, 1)).eligible
    person_common = _person(date(2004, 2, 29))
    assert check_eligibility(people=[person_common], on=date(2024, 2, 28)).eligible
    assert not check_eligibility(people=[person_common], on=date(2024, 2, 29)).eligible


def test_refusal_says_why():
    result = check_eligibility(people=[_person(date(1980, 1, 1))], on=REFERRAL)
    assert not result.eligible
    assert "aged 19 or under" in result.reason
    assert "up to 25 with SEND" in result.reason


def test_an_unborn_child_alone_does_not_make_a_family_eligible():
    result = check_eligibility(people=[_person(None, expected=date(2027, 3, 1))], on=REFERRAL)
    assert not result.eligible
    assert "No member has a date of birth" in result.reason
