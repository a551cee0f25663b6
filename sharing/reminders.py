"""Reminders for agreements and partner referrals (SPEC §6.1 "reminders before review/expiry", §6.2
"remind when a partner has not answered"; domain-rules §5 "remind before review").

`make_reminders(on=...)` is the daily job (`sharing.tasks.sharing_reminders`, and
`manage.py sharing_reminders [--dry-run]` by hand). It makes at most one reminder per agreement (or
referral), kind and date:

- agreement review: the review date is within AGREEMENT_LEAD_DAYS, or passed (for the DPO's team);
- agreement end: the end date is within AGREEMENT_LEAD_DAYS (for the DPO's team);
- referral not answered: the partner has not answered (still sent, or only acknowledged) for more than
  its organisation's `referral_response_days` since the last step (for the worker who sent it).

Revoked and ended agreements are not reminded. Reminders no longer due (the review date moved, the
agreement was revoked, the partner answered) are closed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sharing import selectors
from sharing.check import long_date
from sharing.models import SharingReminder

AGREEMENT_LEAD_DAYS = 60

Kind = SharingReminder.Kind


@dataclass(frozen=True)
class Due:
    kind: str
    due_on: date
    message: str
    agreement_id: int | None = None
    referral_id: int | None = None
    assigned_to_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.agreement_id, self.referral_id, self.due_on)


def due_on(on: date, *, lead_days: int = AGREEMENT_LEAD_DAYS) -> list[Due]:
    """Every reminder called for on `on`."""
    found = []
    for item in selectors.agreements_due(on=on, within_days=lead_days):
        agreement = item.agreement
        if item.what == "review":
            message = f"Agreement {agreement.reference} ({agreement.title}) " + (
                f"was due for review on {long_date(item.due_on)}: review it now."
                if item.overdue
                else f"is due for review on {long_date(item.due_on)}."
            )
            kind = Kind.AGREEMENT_REVIEW
        else:
            message = (
                f"Agreement {agreement.reference} ({agreement.title}) ends on {long_date(item.due_on)}: "
                "renew it or plan what happens to data already shared."
            )
            kind = Kind.AGREEMENT_END
        found.append(Due(kind, item.due_on, message[:300], agreement_id=agreement.pk))
    for referral in selectors.referrals_awaiting_response(on=on):
        answer_due = referral.status_on + timedelta(days=referral.organisation.referral_response_days)
        found.append(
            Due(
                Kind.REFERRAL_NO_RESPONSE,
                answer_due,
                (
                    f"Family {referral.family.reference}: {referral.organisation} has not answered "
                    f"the referral sent on {long_date(referral.sent_on)} "
                    f"(an answer was due by {long_date(answer_due)})."
                )[:300],
                referral_id=referral.pk,
                assigned_to_id=referral.sent_by_id,
            )
        )
    return found


@dataclass
class ReminderRun:
    made: list[Due]
    closed: int


def make_reminders(*, on: date | None = None, dry_run: bool = False) -> ReminderRun:
    """Make the reminders due on `on` (today) once each, and close those no longer due.

    Safe to run twice and every day. With `dry_run` nothing is written.
    """
    on = on or timezone.localdate()
    due = due_on(on)
    existing = set(
        SharingReminder.objects.filter(due_on__in={d.due_on for d in due}).values_list(
            "kind", "agreement_id", "referral_id", "due_on"
        )
    )
    new = [d for d in due if d.key not in existing]
    still_due = {d.key for d in due}
    stale = [
        pk
        for pk, *key in SharingReminder.objects.filter(closed_on__isnull=True).values_list(
            "pk", "kind", "agreement_id", "referral_id", "due_on"
        )
        if tuple(key) not in still_due
    ]
    if dry_run:
        return ReminderRun(new, len(stale))
    with transaction.atomic():
        SharingReminder.objects.bulk_create(
            [
                SharingReminder(
                    kind=d.kind,
                    agreement_id=d.agreement_id,
                    referral_id=d.referral_id,
                    due_on=d.due_on,
                    message=d.message,
                    assigned_to_id=d.assigned_to_id,
                    created_on=on,
                )
                for d in new
            ],
            ignore_conflicts=True,  # a run alongside this one made it first
        )
        closed = SharingReminder.objects.filter(pk__in=stale).update(closed_on=on)
    return ReminderRun(new, closed)


def open_reminders(*, user=None, families=None):
    """Open reminders, soonest first. With `user`: theirs and the DPO team's (unassigned) ones; with
    `families`: referral reminders only about those families (agreement reminders have no family)."""
    reminders = SharingReminder.objects.filter(closed_on__isnull=True).select_related(
        "agreement", "referral__organisation", "assigned_to"
    )
    if user is not None:
        reminders = reminders.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
    if families is not None:
        reminders = reminders.filter(Q(referral__isnull=True) | Q(referral__family__in=families))
    return reminders.order_by("due_on", "pk")
