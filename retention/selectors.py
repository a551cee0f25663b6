"""Reads about retention that other apps and pages need."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from retention.models import (
    DestructionNotice,
    DestructionRecord,
    DestructionSuspension,
    LegalHold,
    RetentionPolicy,
    SweepRun,
)
from retention.register import reference_hashes


class NoPolicyError(LookupError):
    """No retention policy is in force for a record kind: destruction cannot be planned."""


def current_policy(record_kind: str, *, on: date | None = None) -> RetentionPolicy:
    """The policy version in force for `record_kind` on `on` (today by default)."""
    on = on or timezone.localdate()
    policy = (
        RetentionPolicy.objects.filter(record_kind=record_kind, effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .first()
    )
    if policy is None:
        raise NoPolicyError(f"No retention policy in force for {record_kind} on {on.isoformat()}.")
    return policy


def family_retention_sentence(*, on: date | None = None) -> str:
    """The privacy notice's promise, rendered from the family case file policy."""
    policy = current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE, on=on)
    return (
        f"Information will be stored securely for {policy.period_text} after our involvement "
        "with you has ended. After this time your information will be destroyed."
    )


def family_involvement_ended_on(family) -> date | None:
    """The date involvement with the family ended, or None while it goes on.

    Involvement goes on while any case is open or a referral awaits a decision;
    otherwise it ended on the latest case closure, or — for a family whose
    referral was not accepted — the latest decision date (SPEC §7). Reads
    `family.cases` and `family.referrals` once each, or their prefetched rows.
    """
    from cases.models import Case, Referral

    cases = list(family.cases.all())
    referrals = list(family.referrals.all())
    if any(case.status == Case.Status.OPEN for case in cases):
        return None
    if any(referral.decision == Referral.Decision.PENDING for referral in referrals):
        return None
    ends = [case.closed_on for case in cases if case.closed_on]
    ends += [r.decided_on for r in referrals if r.decided_on and r.decision != Referral.Decision.ACCEPT]
    return max(ends) if ends else None


@dataclass(frozen=True)
class FamilyRetention:
    """What the family page says about keeping the records."""

    due_date: date | None  # None while involvement goes on
    period_text: str
    policy: RetentionPolicy


def family_retention_status(family, *, on: date | None = None) -> FamilyRetention:
    """The family's destruction date and the policy behind it, in one policy lookup."""
    policy = current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE, on=on)
    ended = family_involvement_ended_on(family)
    return FamilyRetention(
        due_date=policy.due_date(ended) if ended else None, period_text=policy.period_text, policy=policy
    )


def family_destruction_date(family, *, on: date | None = None) -> date | None:
    """When the family's records fall due for destruction under the policy in force, or None while open."""
    return family_retention_status(family, on=on).due_date


def family_retention_period_text(*, on: date | None = None) -> str:
    """The family case file's period in words ("7 years"), for pages that explain closure."""
    return current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE, on=on).period_text


# --- The notice list and the review queue (SPEC §7) ---

# relativedelta clamps to a month's end (31 January + 1 month = 28 February), so a
# trigger date up to 3 days later can still fall due by the cutoff: the database
# pre-selects with this slack and the policy's own arithmetic decides.
_CLAMP_SLACK_DAYS = 4


@dataclass(frozen=True)
class Blocker:
    """Why a due family may not be destroyed now, in words the DPO reads."""

    code: str
    text: str


class BlockerCode:
    OPEN_CASE = "open_case"
    PENDING_REFERRAL = "pending_referral"
    LEGAL_HOLD = "legal_hold"
    AUTOMATIC_HOLD = "automatic_hold"
    STOP_SWITCH = "stop_switch"


@dataclass
class DueFamily:
    """One family on the notice list: due now or within the notice window, with what blocks it."""

    family: object
    ended_on: date | None
    due_on: date
    policy: RetentionPolicy
    listed_on: date | None
    blockers: list[Blocker] = field(default_factory=list)
    people: set[int] = field(default_factory=set)

    @property
    def destroy_from(self) -> date | None:
        """The first day the sweep may destroy it: due, and listed for the whole notice period."""
        if self.listed_on is None:
            return None
        return max(self.due_on, self.listed_on + timedelta(days=self.policy.notice_days))

    def is_due(self, today: date) -> bool:
        return self.due_on <= today

    def may_be_destroyed(self, today: date) -> bool:
        return not self.blockers and self.destroy_from is not None and self.destroy_from <= today

    @property
    def blocker_text(self) -> str:
        return "; ".join(b.text for b in self.blockers)


def due_families(
    *, on: date | None = None, within_days: int | None = None, family_ids: Iterable[int] | None = None
) -> list[DueFamily]:
    """Families due for destruction by `on` + the notice window, each with its due date and blockers.

    Due dates follow the family policy in force on `on` (a policy change or a
    new closure date recalculates them). A family listed earlier whose case
    was then reopened stays on the list, blocked by its open case. Ordered by
    due date, then reference.
    """
    from cases.models import Case, Family, Referral

    today = on or timezone.localdate()
    policy = current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE, on=today)
    if policy.trigger == RetentionPolicy.Trigger.DESTRUCTION_CONFIRMED:
        return []
    window = policy.notice_days if within_days is None else within_days
    cutoff = today + timedelta(days=window)
    found = _ended_and_due(policy=policy, cutoff=cutoff, family_ids=family_ids)
    rows: dict[int, DueFamily] = {}
    for family in Family.objects.filter(pk__in=list(found)).select_related("team"):
        ended, due = found[family.pk]
        rows[family.pk] = DueFamily(family=family, ended_on=ended, due_on=due, policy=policy, listed_on=None)

    # Listed earlier, then reopened (or a referral arrived): shown, blocked, until the notice is moot.
    # Read from the notice list (short), not from every family.
    listed = DestructionNotice.objects.filter(due_on__lte=cutoff)
    if family_ids is not None:
        listed = listed.filter(family_id__in=list(family_ids))
    listed_but_active = (
        Family.objects.filter(pk__in=listed.values("family_id"))
        .annotate(
            open_case=Exists(Case.objects.filter(family=OuterRef("pk"), status=Case.Status.OPEN)),
            pending_referral=Exists(
                Referral.objects.filter(family=OuterRef("pk"), decision=Referral.Decision.PENDING)
            ),
            listed_due=Subquery(
                DestructionNotice.objects.filter(family=OuterRef("pk"), due_on__lte=cutoff)
                .order_by("-due_on")
                .values("due_on")[:1]
            ),
        )
        .filter(Q(open_case=True) | Q(pending_referral=True))
        .select_related("team")
    )
    for family in listed_but_active:
        rows.setdefault(
            family.pk,
            DueFamily(family=family, ended_on=None, due_on=family.listed_due, policy=policy, listed_on=None),
        )
        if family.open_case:
            rows[family.pk].blockers.append(Blocker(BlockerCode.OPEN_CASE, "Open case: involvement goes on"))
        if family.pending_referral:
            rows[family.pk].blockers.append(
                Blocker(BlockerCode.PENDING_REFERRAL, "A referral is waiting for a decision")
            )

    if rows:
        _add_notices_and_holds(rows)
    suspension = DestructionSuspension.objects.active().first()
    if suspension is not None:
        for row in rows.values():
            row.blockers.append(
                Blocker(
                    BlockerCode.STOP_SWITCH,
                    f"All destruction suspended since {suspension.suspended_at:%d %B %Y}",
                )
            )
    return sorted(rows.values(), key=lambda r: (r.due_on, r.family.reference))


def _ended_and_due(
    *, policy: RetentionPolicy, cutoff: date, family_ids: Iterable[int] | None = None
) -> dict[int, tuple[date, date]]:
    """{family id: (involvement ended on, due on)}: families whose involvement ended, due by `cutoff`.

    One aggregate over cases and referrals (GROUP BY family), filtered by the trigger date:
    the database reads each table once, whatever the number of families.
    """
    from cases.models import Case, Family, Referral

    latest_trigger = cutoff - policy.period + timedelta(days=_CLAMP_SLACK_DAYS)
    families = Family.objects.all()
    if family_ids is not None:
        families = families.filter(pk__in=list(family_ids))
    ended_families = (
        families.annotate(
            open_cases=Count("cases", filter=Q(cases__status=Case.Status.OPEN)),
            pending_referrals=Count("referrals", filter=Q(referrals__decision=Referral.Decision.PENDING)),
            last_closed=Max("cases__closed_on"),
            last_decided=Max(
                "referrals__decided_on", filter=~Q(referrals__decision=Referral.Decision.ACCEPT)
            ),
        )
        .filter(open_cases=0, pending_referrals=0)
        .filter(Q(last_closed__isnull=False) | Q(last_decided__isnull=False))
        .filter(Q(last_closed__isnull=True) | Q(last_closed__lte=latest_trigger))
        .filter(Q(last_decided__isnull=True) | Q(last_decided__lte=latest_trigger))
        .values_list("pk", "last_closed", "last_decided")
    )
    found: dict[int, tuple[date, date]] = {}
    for pk, last_closed, last_decided in ended_families:
        ended = max(d for d in (last_closed, last_decided) if d)
        due = policy.due_date(ended)
        if due <= cutoff:
            found[pk] = (ended, due)
    return found


def _add_notices_and_holds(rows: dict[int, "DueFamily"]) -> None:
    from cases.models import Membership
    from sar.selectors import people_with_open_requests

    for family_id, due_on, listed_on in DestructionNotice.objects.filter(family_id__in=rows).values_list(
        "family_id", "due_on", "first_listed_on"
    ):
        if rows[family_id].due_on == due_on:
            rows[family_id].listed_on = listed_on
    for family_id, person_id in Membership.objects.filter(family_id__in=rows).values_list(
        "family_id", "person_id"
    ):
        rows[family_id].people.add(person_id)

    for hold in LegalHold.objects.active().filter(family_id__in=rows):
        rows[hold.family_id].blockers.append(_hold_blocker(hold, "the family"))
    everyone = set().union(*(row.people for row in rows.values()))
    person_holds = defaultdict(list)
    for hold in LegalHold.objects.active().filter(person_id__in=everyone):
        person_holds[hold.person_id].append(hold)
    requested = people_with_open_requests() & everyone
    for row in rows.values():
        for person_id in sorted(row.people):
            for hold in person_holds.get(person_id, ()):
                row.blockers.append(_hold_blocker(hold, "a member"))
        if row.people & requested:
            count = len(row.people & requested)
            row.blockers.append(
                Blocker(
                    BlockerCode.AUTOMATIC_HOLD,
                    f"Automatic hold: an open subject access request, rights request or complaint "
                    f"about {count} member{'s' if count > 1 else ''}",
                )
            )


def _hold_blocker(hold: LegalHold, whom: str) -> Blocker:
    return Blocker(
        BlockerCode.LEGAL_HOLD,
        f"Legal hold on {whom} ({hold.get_reason_display().lower()}), review by {hold.review_on:%d %B %Y}",
    )


def holds_on_people(person_ids: Iterable[int]) -> list[Blocker]:
    """Blockers from active person holds and automatic holds on any of `person_ids`."""
    from sar.selectors import people_with_open_requests

    person_ids = set(person_ids)
    blockers = [
        _hold_blocker(hold, "a member")
        for hold in LegalHold.objects.active().filter(person_id__in=person_ids)
    ]
    if person_ids & people_with_open_requests():
        blockers.append(
            Blocker(BlockerCode.AUTOMATIC_HOLD, "Automatic hold: an open request or complaint about a member")
        )
    return blockers


# --- The register and the sweep's own record ---


def destruction_records_for_reference(reference: str):
    """Register entries for a family reference: answers "was family X destroyed?" (SPEC §7)."""
    return DestructionRecord.objects.filter(reference_hash__in=reference_hashes(reference)).select_related(
        "run", "policy"
    )


def last_successful_sweep() -> SweepRun | None:
    """The latest real sweep that did its job (completed, or skipped by the stop switch)."""
    return (
        SweepRun.objects.filter(
            kind=SweepRun.Kind.SWEEP,
            dry_run=False,
            outcome__in=SweepRun.SUCCESSFUL,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .first()
    )


SWEEP_OVERDUE_AFTER = timedelta(hours=48)


def sweep_overdue(*, now=None) -> bool:
    """True when no sweep has succeeded in the last 48 hours (SPEC §7: the dashboard and /healthz warn)."""
    now = now or timezone.now()
    last = last_successful_sweep()
    return last is None or last.finished_at < now - SWEEP_OVERDUE_AFTER


def active_suspension() -> DestructionSuspension | None:
    return DestructionSuspension.objects.active().first()


_EXPORTED_FIELDS = [
    "record_kind",
    "policy_version",
    "trigger",
    "hold_check",
    "authorised_by",
    "method",
    "systems_covered",
    "row_counts",
    "people_destroyed",
    "people_kept",
    "files_deleted",
    "reference_hash",
    "hash_key_id",
]


def register_export() -> list[dict]:
    """The destruction register as plain data (no personal data), for a copy kept outside the database."""
    entries = []
    for record in DestructionRecord.objects.filter(replay_of__isnull=True).order_by("destroyed_at", "pk"):
        entry = {name: getattr(record, name) for name in _EXPORTED_FIELDS}
        entry.update(
            surrogate_id=str(record.surrogate_id),
            destroyed_at=record.destroyed_at.isoformat(),
            trigger_date=record.trigger_date.isoformat(),
            due_on=record.due_on.isoformat(),
            listed_on=record.listed_on.isoformat() if record.listed_on else None,
            backup_expires_on=record.backup_expires_on.isoformat(),
        )
        entries.append(entry)
    return entries


# --- The DPO dashboard (SPEC §7: what is coming, what is held, what went) ---


@dataclass(frozen=True)
class RetentionPipeline:
    """Plain numbers for the DPO dashboard's retention panel and its chart.

    `due_within` maps 30, 90 and 365 to the families due for destruction on or
    before today + that many days (overdue ones included: each figure contains the
    smaller). `held` counts those of the 365-day list a legal or automatic hold
    keeps; `active_holds` every hold not yet released. `destroyed_by_month` is
    twelve (first day of the month, families destroyed) pairs, oldest first,
    ending with the current month; replays after a restore are not counted.
    """

    today: date
    due_within: dict[int, int]
    overdue: int
    held: int
    active_holds: int
    destroyed_this_month: int
    paper_outstanding: int
    destroyed_by_month: list[tuple[date, int]]
    suspended: bool
    sweep_overdue: bool


PIPELINE_WINDOWS = (30, 90, 365)


def retention_pipeline(today: date | None = None) -> RetentionPipeline:
    """What the retention rule will do, is prevented from doing, and did (ten queries, whatever the size)."""
    from django.db.models.functions import TruncMonth

    from retention.models import PaperDestructionTask

    today = today or timezone.localdate()
    try:
        policy = current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE, on=today)
    except NoPolicyError:
        policy = None
    due_on: dict[int, date] = {}
    if policy is not None and policy.trigger != RetentionPolicy.Trigger.DESTRUCTION_CONFIRMED:
        found = _ended_and_due(policy=policy, cutoff=today + timedelta(days=max(PIPELINE_WINDOWS)))
        due_on = {pk: due for pk, (_ended, due) in found.items()}
    due_within = {
        days: sum(1 for due in due_on.values() if due <= today + timedelta(days=days))
        for days in PIPELINE_WINDOWS
    }
    held = len(_held_families(due_on))

    month = today.replace(day=1)
    months = [_add_months(month, -n) for n in range(11, -1, -1)]
    counts = dict(
        DestructionRecord.objects.filter(replay_of__isnull=True, destroyed_at__date__gte=months[0])
        .annotate(month=TruncMonth("destroyed_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    counts = {(m.date() if hasattr(m, "date") else m): n for m, n in counts.items()}
    by_month = [(m, counts.get(m, 0)) for m in months]
    return RetentionPipeline(
        today=today,
        due_within=due_within,
        overdue=sum(1 for due in due_on.values() if due <= today),
        held=held,
        active_holds=LegalHold.objects.active().count(),
        destroyed_this_month=by_month[-1][1],
        paper_outstanding=PaperDestructionTask.objects.filter(destroyed_on__isnull=True).count(),
        destroyed_by_month=by_month,
        suspended=active_suspension() is not None,
        sweep_overdue=sweep_overdue(),
    )


def _held_families(family_ids: Iterable[int]) -> set[int]:
    """Those of the families a legal hold (on the family or a member) or an automatic hold keeps."""
    from cases.models import Membership
    from sar.selectors import people_with_open_requests

    family_ids = set(family_ids)
    if not family_ids:
        return set()
    held = set(
        LegalHold.objects.active().filter(family_id__in=family_ids).values_list("family_id", flat=True)
    )
    people = set(LegalHold.objects.active().filter(person__isnull=False).values_list("person_id", flat=True))
    people |= people_with_open_requests()
    if people:
        held |= set(
            Membership.objects.filter(person_id__in=people, family_id__in=family_ids).values_list(
                "family_id", flat=True
            )
        )
    return held & family_ids


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)
