"""factory-boy factories for the returns models: one per model, synthetic data only.

They write rows directly, skipping the rules in `sharing.returns.services`: tests of those rules call
the services; other tests use these to set the scene. Activity codes are loaded by migration, so
`code="230"` picks the row in force.
"""

import datetime

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.factories import PersonFactory
from fss.core.factories import UserFactory
from sharing.factories import OrganisationFactory
from sharing.models import SharingPurpose
from sharing.returns.models import (
    ActivityCode,
    ActivityRecord,
    ContactAttempt,
    FollowUpTask,
    ResearchProject,
    ReturnKind,
    ReturnRun,
    SeptemberGuaranteeOffer,
    TransferRecord,
)
from sharing.statistics.models import DisclosureControlPolicy


def _today() -> datetime.date:
    return timezone.localdate()


class ActivityCodeFactory(DjangoModelFactory):
    """The loaded row for `code` (a new one only for a code not loaded)."""

    class Meta:
        model = ActivityCode
        django_get_or_create = ["code", "effective_from"]

    code = "230"
    label = factory.LazyAttribute(lambda o: f"Activity {o.code}")
    group = ActivityCode.Group.EDUCATION
    specification = "Test"
    effective_from = datetime.date(2013, 9, 1)


class ActivityRecordFactory(DjangoModelFactory):
    """Further education, confirmed a month ago, to be reviewed in five months."""

    class Meta:
        model = ActivityRecord

    class Params:
        activity = "230"

    person = factory.SubFactory(PersonFactory, age=16)
    code = factory.LazyAttribute(
        lambda o: ActivityCode.objects.filter(code=o.activity).latest("effective_from")
    )
    confirmed_on = factory.LazyFunction(lambda: _today() - relativedelta(months=1))
    review_on = factory.LazyAttribute(lambda o: o.confirmed_on + relativedelta(months=6))
    source = ActivityRecord.Source.YOUNG_PERSON
    recorded_by = factory.SubFactory(UserFactory)


class ContactAttemptFactory(DjangoModelFactory):
    class Meta:
        model = ContactAttempt

    person = factory.SubFactory(PersonFactory, age=17)
    on = factory.LazyFunction(_today)
    method = ContactAttempt.Method.PHONE
    result = ContactAttempt.Result.NO_REPLY
    recorded_by = factory.SubFactory(UserFactory)


class FollowUpTaskFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpTask

    person = factory.SubFactory(PersonFactory, age=17)
    activity = None
    due_on = factory.LazyFunction(_today)


class SeptemberGuaranteeOfferFactory(DjangoModelFactory):
    class Meta:
        model = SeptemberGuaranteeOffer

    person = factory.SubFactory(PersonFactory, age=16)
    academic_year = factory.LazyFunction(lambda: _today().year)
    year_group = 11
    offer = SeptemberGuaranteeOffer.Offer.FULL_TIME_EDUCATION
    recorded_on = factory.LazyFunction(_today)
    recorded_by = factory.SubFactory(UserFactory)


class ResearchProjectFactory(DjangoModelFactory):
    """A project with ONS that ran last year; destruction to be confirmed within a year of its end."""

    class Meta:
        model = ResearchProject

    reference = factory.Sequence(lambda n: f"ONS-RES-{n:03d}")
    title = "National evaluation of the Supporting Families programme"
    recipient = factory.SubFactory(
        OrganisationFactory, name="Office for National Statistics", category__code="ons"
    )
    starts_on = factory.LazyFunction(lambda: _today() - relativedelta(years=1))
    ends_on = factory.LazyFunction(lambda: _today() + relativedelta(months=6))
    destruction_confirmation_due_on = factory.LazyAttribute(lambda o: o.ends_on + relativedelta(months=3))


class ReturnRunFactory(DjangoModelFactory):
    """A run row with no file and no disclosures, for lists (real runs come from the service)."""

    class Meta:
        model = ReturnRun

    kind = ReturnKind.PROGRAMME_RETURN
    period_start = factory.LazyFunction(lambda: _today() - relativedelta(months=3))
    period_end = factory.LazyFunction(_today)
    as_at = factory.LazyAttribute(lambda o: o.period_end)
    recipient = factory.SubFactory(OrganisationFactory, category__code="programme_department")
    purpose = factory.LazyFunction(lambda: SharingPurpose.objects.get(code="programme_return"))
    run_by = factory.SubFactory(UserFactory)
    checked_on = factory.LazyFunction(_today)
    file_name = "return.csv"
    file_sha256 = "0" * 64


class TransferRecordFactory(DjangoModelFactory):
    class Meta:
        model = TransferRecord

    run = factory.SubFactory(ReturnRunFactory)
    recipient = factory.LazyAttribute(lambda o: o.run.recipient)
    method = "secure_portal"
    file_sha256 = factory.LazyAttribute(lambda o: o.run.file_sha256)
    row_count = 0


class DisclosureControlPolicyFactory(DjangoModelFactory):
    """A new version of the policy (version 1 is loaded by migration), in force from today."""

    class Meta:
        model = DisclosureControlPolicy
        django_get_or_create = ["version"]

    version = 2
    effective_from = factory.LazyFunction(_today)
    suppress_from = 1
    suppress_to = 9
    round_to = 5
    min_denominator = 10
    secondary_suppression = True
