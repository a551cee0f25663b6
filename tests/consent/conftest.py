"""The consent tests' family: Maya (mother, parental responsibility), Dan (her partner, no parental
responsibility), Tia (16) and Leo (15); and a privacy notice in force since 2020 so decisions can be
dated in the past."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.factories import FamilyFactory, MembershipFactory, PersonFactory
from cases.models import Membership
from consent.factories import PrivacyNoticeVersionFactory
from consent.models import ConsentRecord

Role = Membership.Role


def add_member(family, role, *, pr=False, start=datetime.date(2019, 1, 1), end=None, **person):
    person = PersonFactory(**person)
    MembershipFactory(
        person=person,
        family=family,
        role=role,
        has_parental_responsibility=pr,
        start_date=start,
        end_date=end,
    )
    return person


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def notice_2020(db):
    """A published notice in force from 2020; the installed version 1 is current today."""
    return PrivacyNoticeVersionFactory(effective_from=datetime.date(2020, 1, 1))


@pytest.fixture
def family(north_team):
    return FamilyFactory(team=north_team)


@pytest.fixture
def maya(family):
    return add_member(family, Role.PARENT_CARER, pr=True, given_name="Maya", family_name="Reid", age=34)


@pytest.fixture
def dan(family):
    return add_member(family, Role.PARENT_CARER, pr=False, given_name="Dan", family_name="Cole", age=38)


@pytest.fixture
def tia(family, today):
    return add_member(
        family,
        Role.YOUNG_PERSON,
        given_name="Tia",
        family_name="Reid",
        date_of_birth=today - relativedelta(years=16, days=40),
    )


@pytest.fixture
def leo(family, today):
    return add_member(
        family,
        Role.CHILD,
        given_name="Leo",
        family_name="Reid",
        date_of_birth=today - relativedelta(years=15, days=40),
    )


@pytest.fixture
def record(family, caseworker):
    """Call record_consent with sensible defaults: an adult's own written decision today."""
    from consent.services import record_consent

    def _record(person, purpose="service", decision=ConsentRecord.Decision.GIVEN, **kwargs):
        kwargs.setdefault("family", family)
        kwargs.setdefault("decided_by", person)
        kwargs.setdefault("capacity", ConsentRecord.Capacity.SELF)
        kwargs.setdefault("method", ConsentRecord.Method.WRITTEN)
        kwargs.setdefault("decided_on", timezone.localdate())
        kwargs.setdefault("by", caseworker)
        return record_consent(person=person, purpose=purpose, decision=decision, **kwargs)

    return _record
