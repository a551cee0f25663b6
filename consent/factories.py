"""factory-boy factories for consent: one per model, synthetic data only.

They write rows directly, skipping the rules in `consent.services`: tests of
those rules call the services; other tests use these to set the scene.
"""

import datetime

import factory
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.factories import FamilyFactory, PersonFactory
from consent.models import (
    ConsentPurpose,
    ConsentRecord,
    EducationOptOut,
    PrivacyNoticeSection,
    PrivacyNoticeVersion,
)
from fss.core.factories import UserFactory


def _next_notice_version() -> int:
    return (PrivacyNoticeVersion.objects.aggregate(latest=Max("version"))["latest"] or 0) + 1


class ConsentPurposeFactory(DjangoModelFactory):
    """The purposes are loaded by migration; this returns the existing row for a known code."""

    class Meta:
        model = ConsentPurpose
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"partner:category_{n}")
    kind = factory.LazyAttribute(lambda o: o.code.split(":")[0])
    label = factory.LazyAttribute(lambda o: f"Sharing with {o.code.split(':')[-1].replace('_', ' ')}")
    short_label = factory.LazyAttribute(lambda o: o.code.split(":")[-1][:40])
    position = 900


class PrivacyNoticeVersionFactory(DjangoModelFactory):
    """A published version in force since 2020 by default; `draft=True` makes a draft."""

    class Meta:
        model = PrivacyNoticeVersion

    class Params:
        draft = factory.Trait(
            status=PrivacyNoticeVersion.Status.DRAFT, effective_from=None, published_at=None
        )

    version = factory.LazyFunction(_next_notice_version)
    status = PrivacyNoticeVersion.Status.PUBLISHED
    effective_from = datetime.date(2020, 1, 1)
    title = "{service_name} privacy notice"
    summary = "How the {service_name} uses your information."
    published_at = factory.LazyFunction(timezone.now)


class PrivacyNoticeSectionFactory(DjangoModelFactory):
    class Meta:
        model = PrivacyNoticeSection

    version = factory.SubFactory(PrivacyNoticeVersionFactory, draft=True)
    position = factory.Sequence(int)
    heading = factory.Sequence(lambda n: f"Section {n}")
    body = "Contact the Data Protection Officer at {dpo_email}."


class ConsentRecordFactory(DjangoModelFactory):
    """An adult's own "given" for `service`, decided today, shown the version in force then.

    `purpose_code="partner:police"` picks another purpose from the registry.
    """

    class Meta:
        model = ConsentRecord

    class Params:
        purpose_code = "service"

    person = factory.SubFactory(PersonFactory, age=35)
    family = factory.SubFactory(FamilyFactory)
    purpose = factory.LazyAttribute(lambda o: ConsentPurpose.objects.get(code=o.purpose_code))
    decision = ConsentRecord.Decision.GIVEN
    decided_by = factory.SelfAttribute("person")
    capacity = ConsentRecord.Capacity.SELF
    method = ConsentRecord.Method.WRITTEN
    decided_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)
    notice_version = factory.LazyAttribute(
        lambda o: (
            PrivacyNoticeVersion.objects.filter(
                status=PrivacyNoticeVersion.Status.PUBLISHED, effective_from__lte=o.decided_on
            )
            .order_by("-effective_from", "-version")
            .first()
            or PrivacyNoticeVersionFactory(effective_from=o.decided_on)
        )
    )


class EducationOptOutFactory(DjangoModelFactory):
    class Meta:
        model = EducationOptOut

    person = factory.SubFactory(PersonFactory, age=16)
    status = EducationOptOut.Status.IN_FORCE
    from_date = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)


def give_agreement(*, family, person, by, on, method="verbal"):
    """Record `person`'s agreement to work with the service and to recording information.

    Goes through consent.services, so the capacity rules apply: `person` must be
    a current member who may agree for the family (16+ with parental
    responsibility, or the young person). Used by tests and seed_demo.
    """
    from consent.models import ConsentRecord
    from consent.services import record_consent

    return [
        record_consent(
            person=person,
            family=family,
            purpose=purpose,
            decision=ConsentRecord.Decision.GIVEN,
            decided_by=person,
            capacity=ConsentRecord.Capacity.SELF,
            method=method,
            decided_on=on,
            by=by,
        )
        for purpose in ("service", "record")
    ]
