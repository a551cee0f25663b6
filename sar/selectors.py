"""Reads about requests and complaints that the dashboard and other apps need."""

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
