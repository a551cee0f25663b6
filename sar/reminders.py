"""Deadline reminders for subject access, rights and FOI requests and complaints (SPEC §8.1, §10).

`make_reminders(on=...)` is the daily job (`sar.tasks.deadline_reminders`, and
`manage.py sar_reminders [--dry-run]` by hand). For every open request whose
clock is running it makes at most one reminder per threshold and due date,
for the officer handling the request (or the DPO's team when nobody is):

- extension window: a subject access or rights request not extended, within
  EXTENSION_LEAD_DAYS of the end of the first month, the last day the
  requester can be told of an extension (domain-rules §2);
- due soon: within AMBER_WITHIN_DAYS of the due date (the dashboard's amber);
- overdue: past the due date.

A complaint's deadline is its acknowledgement (30 days); an FOI request's is its
20th working day. A request with the clock stopped (identity, fee or
clarification awaited, a pause running) is not reminded. Reminders of
requests that were answered or whose deadline moved are closed.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sar.models import (
    AMBER_WITHIN_DAYS,
    Complaint,
    DeadlineReminder,
    FOIRequest,
    RightsRequest,
    SubjectAccessRequest,
    long_date,
)

EXTENSION_LEAD_DAYS = 14

Register = DeadlineReminder.Register
Threshold = DeadlineReminder.Threshold


@dataclass(frozen=True)
class Deadline:
    register: str
    object_id: int
    reference: str
    threshold: str
    due_on: date
    assigned_to_id: int | None

    @property
    def key(self) -> tuple:
        return (self.register, self.object_id, self.threshold, self.due_on)

    @property
    def message(self) -> str:
        what = f"{Register(self.register).label} {self.reference}"
        if self.threshold == Threshold.EXTENSION_WINDOW:
            return (
                f"{what}: if it needs an extension, the requester must be told by {long_date(self.due_on)}."
            )
        if self.threshold == Threshold.OVERDUE:
            return f"{what} is overdue: it was due on {long_date(self.due_on)}."
        return f"{what} is due on {long_date(self.due_on)}."


def _due_thresholds(due: date | None, on: date) -> list[tuple[str, date]]:
    if due is None:
        return []
    if on > due:
        return [(Threshold.OVERDUE, due)]
    if (due - on).days <= AMBER_WITHIN_DAYS:
        return [(Threshold.DUE_SOON, due)]
    return []


def _one_month(register: str, request, on: date) -> list[Deadline]:
    if getattr(request, "current_pause", None) is not None:
        return []  # the clock is stopped while clarification is awaited
    due = request.due_date_on(on)
    found = _due_thresholds(due, on)
    if not request.extended:
        notice_by = request.extension_notice_deadline
        if notice_by is not None and on <= notice_by and (notice_by - on).days <= EXTENSION_LEAD_DAYS:
            found.append((Threshold.EXTENSION_WINDOW, notice_by))
    return [
        Deadline(register, request.pk, request.reference, threshold, day, request.handled_by_id)
        for threshold, day in found
    ]


def deadlines_on(on: date) -> list[Deadline]:
    """Every deadline that calls for a reminder on `on`, across the four registers."""
    found: list[Deadline] = []
    sars = SubjectAccessRequest.objects.exclude(status__in=SubjectAccessRequest.CLOSED_STATUSES)
    for sar in sars.prefetch_related("pauses"):
        found += _one_month(Register.SAR, sar, on)
    for rights in RightsRequest.objects.filter(decided_on__isnull=True):
        found += _one_month(Register.RIGHTS, rights, on)
    for foi in FOIRequest.objects.filter(answered_on__isnull=True):
        found += [
            Deadline(Register.FOI, foi.pk, foi.reference, threshold, day, foi.handled_by_id)
            for threshold, day in _due_thresholds(foi.due_date, on)
        ]
    for complaint in Complaint.objects.filter(outcome_on__isnull=True, acknowledged_on__isnull=True):
        found += [
            Deadline(
                Register.COMPLAINT, complaint.pk, complaint.reference, threshold, day, complaint.handled_by_id
            )
            for threshold, day in _due_thresholds(complaint.acknowledgement_due, on)
        ]
    return found


@dataclass
class ReminderRun:
    made: list[Deadline]
    closed: int


def make_reminders(*, on: date | None = None, dry_run: bool = False) -> ReminderRun:
    """Make the reminders due on `on` (today) once each, and close those no longer due.

    Safe to run twice and every day: a (register, request, threshold, due date)
    is reminded once. With `dry_run` nothing is written.
    """
    on = on or timezone.localdate()
    due = deadlines_on(on)
    existing = set(
        DeadlineReminder.objects.filter(due_on__in={d.due_on for d in due}).values_list(
            "register", "object_id", "threshold", "due_on"
        )
    )
    new = [d for d in due if d.key not in existing]
    still_due = {d.key for d in due}
    stale = [
        pk
        for pk, *key in DeadlineReminder.objects.filter(closed_on__isnull=True).values_list(
            "pk", "register", "object_id", "threshold", "due_on"
        )
        if tuple(key) not in still_due
    ]
    if dry_run:
        return ReminderRun(new, len(stale))
    with transaction.atomic():
        DeadlineReminder.objects.bulk_create(
            [
                DeadlineReminder(
                    register=d.register,
                    object_id=d.object_id,
                    reference=d.reference,
                    threshold=d.threshold,
                    due_on=d.due_on,
                    message=d.message,
                    assigned_to_id=d.assigned_to_id,
                    created_on=on,
                )
                for d in new
            ],
            ignore_conflicts=True,  # a run alongside this one made it first
        )
        closed = DeadlineReminder.objects.filter(pk__in=stale).update(closed_on=on)
    return ReminderRun(new, closed)


def open_reminders(*, user=None):
    """Open reminders, soonest deadline first: the user's own and the DPO team's (unassigned) ones."""
    reminders = DeadlineReminder.objects.filter(closed_on__isnull=True).select_related("assigned_to")
    if user is not None:
        reminders = reminders.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
    return reminders.order_by("due_on", "pk")
