"""factory-boy factories for the DPO's registers: synthetic requesters only (Faker, en_GB)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.factories import PersonFactory
from fss.core.factories import UserFactory
from sar.models import (
    Complaint,
    ComplaintUpdate,
    FOIRequest,
    Ground,
    Redaction,
    RedactionDecision,
    RequestPause,
    RightsRequest,
    SarCompilation,
    SarItem,
    SarPackage,
    SarSearchTask,
    SarSignOff,
    Section,
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


class SarCompilationFactory(DjangoModelFactory):
    """A finished compilation (items are added with SarItemFactory)."""

    class Meta:
        model = SarCompilation

    request = factory.SubFactory(SubjectAccessRequestFactory)
    status = SarCompilation.Status.DONE
    stage = "Compiled"
    percent = 100
    requested_by = factory.SubFactory(UserFactory)
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)


class SarItemFactory(DjangoModelFactory):
    class Meta:
        model = SarItem

    compilation = factory.SubFactory(SarCompilationFactory)
    position = factory.Sequence(int)
    section = Section.NOTES
    source_label = "cases.casenote"
    source_pk = factory.Sequence(str)
    title = "Home visit on 3 March 2026"
    occurred_on = factory.LazyFunction(_today)
    fields = factory.LazyFunction(
        lambda: [{"label": "Note", "value": "Visited the family at home.", "scan": True}]
    )


class RedactionFactory(DjangoModelFactory):
    """A third party's name proposed for withholding: the first word of the item's first field."""

    class Meta:
        model = Redaction

    item = factory.SubFactory(SarItemFactory)
    field_index = 0
    start = 0
    end = factory.LazyAttribute(lambda o: len(o.item.fields[0]["value"].split()[0]))
    text = factory.LazyAttribute(lambda o: o.item.fields[0]["value"][o.start : o.end])
    reason = Redaction.Reason.FAMILY_MEMBER
    suggestion = Redaction.Suggestion.WITHHOLD


class RedactionDecisionFactory(DjangoModelFactory):
    class Meta:
        model = RedactionDecision

    redaction = factory.SubFactory(RedactionFactory)
    decision = RedactionDecision.Decision.WITHHOLD
    ground = Ground.THIRD_PARTY
    by = factory.SubFactory(UserFactory)


class SarSignOffFactory(DjangoModelFactory):
    class Meta:
        model = SarSignOff

    compilation = factory.SubFactory(SarCompilationFactory)
    by = factory.SubFactory(UserFactory)


class SarSearchTaskFactory(DjangoModelFactory):
    class Meta:
        model = SarSearchTask

    request = factory.SubFactory(SubjectAccessRequestFactory)
    kind = SarSearchTask.Kind.PAPER_FILE
    description = "Search the paper files in the Aylesbury records store, box 14."


class SarPackageFactory(DjangoModelFactory):
    """A package made now, expiring in 30 days, without files."""

    class Meta:
        model = SarPackage

    compilation = factory.SubFactory(SarCompilationFactory)
    request = factory.SelfAttribute("compilation.request")
    made_by = factory.SubFactory(UserFactory)
    made_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.made_at + datetime.timedelta(days=30))
    policy_version = 1
