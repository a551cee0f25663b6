"""factory-boy factories for families and cases: synthetic people only (Faker, en_GB)."""

import datetime

import factory
import factory.fuzzy
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.models import Case, Family, FamilyAddress, Membership, Person
from fss.core.factories import TeamFactory


def _today() -> datetime.date:
    return timezone.localdate()


class FamilyFactory(DjangoModelFactory):
    class Meta:
        model = Family
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    lead_worker = None

    @factory.post_generation
    def grants(self, create, extracted, **kwargs):
        # As allocation does: the team (and lead worker) may see and change the family.
        if create and extracted is not False:
            from cases.services import grant_allocation

            grant_allocation(self)


class FamilyAddressFactory(DjangoModelFactory):
    class Meta:
        model = FamilyAddress

    family = factory.SubFactory(FamilyFactory)
    line_1 = factory.Faker("street_address", locale="en_GB")
    town = factory.Faker("city", locale="en_GB")
    postcode = factory.Faker("postcode", locale="en_GB")
    start_date = factory.LazyFunction(lambda: _today() - relativedelta(years=2))


class PersonFactory(DjangoModelFactory):
    """A synthetic person. `age=N` sets a date of birth N years (and some days) ago."""

    class Meta:
        model = Person

    class Params:
        # Age in completed years today; the birthday fell 1–300 days ago.
        age = factory.fuzzy.FuzzyInteger(0, 60)
        days_since_birthday = factory.fuzzy.FuzzyInteger(1, 300)

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.LazyAttribute(
        lambda o: _today() - relativedelta(years=o.age, days=o.days_since_birthday)
    )


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    family = factory.SubFactory(FamilyFactory)
    role = Membership.Role.CHILD
    start_date = factory.LazyFunction(lambda: _today() - relativedelta(years=1))


class CaseFactory(DjangoModelFactory):
    """An open case by default; `closed=True` (with optional `closed_on`) closes it."""

    class Meta:
        model = Case

    class Params:
        closed = factory.Trait(
            status=Case.Status.CLOSED,
            closed_on=factory.LazyFunction(_today),
            closure_reason=Case.ClosureReason.NEEDS_MET,
        )

    family = factory.SubFactory(FamilyFactory)
    opened_on = factory.LazyAttribute(
        lambda o: (o.closed_on - relativedelta(months=6)) if o.closed_on else _today()
    )
    status = Case.Status.OPEN
    closed_on = None
    closure_reason = ""
