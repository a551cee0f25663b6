"""factory-boy factories for the DPO's registers: synthetic requesters only (Faker, en_GB)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.factories import PersonFactory
from sar.models import (
    Complaint,
    ComplaintUpdate,
    FOIRequest,
    RequestPause,
    RightsRequest,
    SubjectAccessRequest,
)


def _today() -> datetime.date:
    return timezone.localdate()


class SubjectAccessRequestFactory(DjangoModelFactory):
    """A request made by the subject themselves, received today, by email."""

    class Meta:
        model = SubjectAccessRequest

    received_on = factory.LazyFunction(_today)
    requester_name = factory.LazyAttribute(lambda o: str(o.subject) if o.subject else "A. Requester")
    requester_contact = factory.Faker("email", locale="en_GB")
    requester_relationship = SubjectAccessRequest.Relationship.SELF
    subject = factory.SubFactory(PersonFactory)
    channel = SubjectAccessRequest.Channel.EMAIL
    status = SubjectAccessRequest.Status.RECEIVED


class RequestPauseFactory(DjangoModelFactory):
    """A closed three-day pause starting the day the request arrived."""

    class Meta:
        model = RequestPause

    request = factory.SubFactory(SubjectAccessRequestFactory)
    started_on = factory.LazyAttribute(lambda o: o.request.received_on)
    ended_on = factory.LazyAttribute(lambda o: o.started_on + datetime.timedelta(days=2))
    reason = "Which of the family's cases the request is about."


class RightsRequestFactory(DjangoModelFactory):
    class Meta:
        model = RightsRequest

    kind = RightsRequest.Kind.RECTIFICATION
    received_on = factory.LazyFunction(_today)
    requester_name = factory.LazyAttribute(lambda o: str(o.subject) if o.subject else "A. Requester")
    requester_contact = factory.Faker("email", locale="en_GB")
    subject = factory.SubFactory(PersonFactory)
    details = "My date of birth is recorded wrongly."


class FOIRequestFactory(DjangoModelFactory):
    class Meta:
        model = FOIRequest

    received_on = factory.LazyFunction(_today)
    requester_type = FOIRequest.RequesterType.MEDIA
    requester_name = factory.Faker("name", locale="en_GB")
    reply_address = factory.Faker("email", locale="en_GB")
    request_text = "How many families did the service support last year?"


class ComplaintFactory(DjangoModelFactory):
    class Meta:
        model = Complaint

    received_on = factory.LazyFunction(_today)
    channel = Complaint.Channel.ONLINE_FORM
    complainant_name = factory.Faker("name", locale="en_GB")
    complainant_contact = factory.Faker("email", locale="en_GB")
    subject = None
    summary = "My information was shared with my child's school without my knowledge."


class ComplaintUpdateFactory(DjangoModelFactory):
    class Meta:
        model = ComplaintUpdate

    complaint = factory.SubFactory(ComplaintFactory)
    sent_on = factory.LazyAttribute(lambda o: o.complaint.received_on)
    note = "We are looking into what was shared and why."
