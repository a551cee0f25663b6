"""The sharing tests' family: Maya (mother, parental responsibility), Dan (her partner), Tia (16) and
Leo (15), held by the North team; Thames Valley Police and a public-task early help agreement with it,
in force since last year; and a privacy notice in force since 2020 so decisions can be dated in the past."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.factories import FamilyFactory, MembershipFactory, PersonFactory
from cases.models import Membership
from consent.factories import ConsentRecordFactory, EducationOptOutFactory, PrivacyNoticeVersionFactory
from consent.models import ConsentRecord
from sar.factories import RightsRequestFactory
from sar.models import RightsRequest
from sharing.factories import DataSharingAgreementFactory, OrganisationFactory

Role = Membership.Role


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def notice_2020(db):
    return PrivacyNoticeVersionFactory(effective_from=datetime.date(2020, 1, 1))


def add_member(family, role, *, pr=False, start=datetime.date(2019, 1, 1), **person):
    person = PersonFactory(**person)
    MembershipFactory(
        person=person, family=family, role=role, has_parental_responsibility=pr, start_date=start
    )
    return person


@pytest.fixture
def family(north_team, caseworker):
    return FamilyFactory(team=north_team, lead_worker=caseworker)


@pytest.fixture
def maya(family):
    return add_member(family, Role.PARENT_CARER, pr=True, given_name="Maya", family_name="Reid", age=34)


@pytest.fixture
def dan(family):
    return add_member(family, Role.PARENT_CARER, given_name="Dan", family_name="Cole", age=38)


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
def police(db):
    return OrganisationFactory(name="Thames Valley Police", category__code="police")


@pytest.fixture
def school(db):
    return OrganisationFactory(name="Oakfield Academy", category__code="school")


@pytest.fixture
def housing(db):
    return OrganisationFactory(name="Vale Housing Trust", category__code="housing")


@pytest.fixture
def agreement(police):
    """Public task, early help and safeguarding, name/DOB, address, family circumstances, health (para 2)."""
    return DataSharingAgreementFactory(
        organisation=police,
        purposes=["early_help", "safeguarding"],
        categories=["identity", "address", "family_circumstances", ("health_send", "sch1_para2")],
    )


@pytest.fixture
def consent(family, caseworker):
    """Write a consent record directly: consent(person, "partner:police", "withdrawn", on=date)."""

    def _consent(person, purpose, decision=ConsentRecord.Decision.GIVEN, on=None):
        return ConsentRecordFactory(
            person=person,
            family=family,
            purpose_code=purpose,
            decision=decision,
            decided_on=on or timezone.localdate() - datetime.timedelta(days=30),
            recorded_by=caseworker,
        )

    return _consent


@pytest.fixture
def restrict():
    """Place a granted restriction on a person from `on` (optionally lifted on `lifted_on`)."""

    def _restrict(person, on, lifted_on=None):
        return RightsRequestFactory(
            subject=person,
            kind=RightsRequest.Kind.RESTRICTION,
            received_on=on,
            decision=RightsRequest.Decision.GRANTED,
            decided_on=on,
            lifted_on=lifted_on,
        )

    return _restrict


@pytest.fixture
def opt_out(caseworker):
    def _opt_out(person, on):
        return EducationOptOutFactory(person=person, from_date=on, recorded_by=caseworker)

    return _opt_out
