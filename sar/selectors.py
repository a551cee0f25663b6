"""Reads about requests and complaints that the dashboard and other apps need."""

from datetime import date

from django.db.models import Q

from sar.models import Complaint, RightsRequest, SubjectAccessRequest


def open_subject_access_requests():
    """Open SARs, oldest first, with what their deadline and list row need in two queries."""
    return (
        SubjectAccessRequest.objects.exclude(status__in=SubjectAccessRequest.CLOSED_STATUSES)
        .select_related("subject")
        .prefetch_related("pauses")
        .order_by("received_on", "pk")
    )


def people_with_open_requests() -> set[int]:
    """Ids of people an open SAR, rights request or complaint is about.

    Their records are on automatic legal hold: deleting or altering requested
    data to stop its disclosure is an offence (DPA 2018 s.173; domain-rules §2,
    SPEC §7). The retention sweep asks this before destroying anyone.
    """
    sar = SubjectAccessRequest.objects.filter(
        ~Q(status__in=SubjectAccessRequest.CLOSED_STATUSES), subject__isnull=False
    ).values_list("subject_id", flat=True)
    rights = RightsRequest.objects.filter(decided_on__isnull=True, subject__isnull=False).values_list(
        "subject_id", flat=True
    )
    complaints = Complaint.objects.filter(outcome_on__isnull=True, subject__isnull=False).values_list(
        "subject_id", flat=True
    )
    # Default orderings cleared: a UNION cannot carry them.
    return set(sar.order_by().union(rights.order_by(), complaints.order_by()))


def restrictions_in_force(*, on: date):
    """Granted restrictions (SPEC §8.2) in force on `on`: decided on or before it, not lifted by then."""
    return RightsRequest.objects.filter(
        Q(lifted_on__isnull=True) | Q(lifted_on__gt=on),
        kind=RightsRequest.Kind.RESTRICTION,
        decision__in=RightsRequest.RESTRICTING_DECISIONS,
        decided_on__lte=on,
        subject__isnull=False,
    )


def restriction_in_force(*, person, on: date) -> bool:
    """Whether `person` is under a restriction of processing on `on` (UK GDPR Art 18; SPEC §8.2).

    A restriction is a granted (or partly granted) rights request of kind
    restriction, counted from its decision date until the day it is lifted.
    While it is in force nothing is disclosed about the person except for
    safeguarding; the sharing check asks this.
    """
    return restrictions_in_force(on=on).filter(subject=person).exists()
