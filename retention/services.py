"""What the DPO and the nightly sweep do to records under the retention rule (SPEC §7, domain-rules §8).

Each function takes the acting user as `by=` (None for the scheduled sweep).
Holds and the stop switch are ended by recording the release, never deleted.
The sweep destroys each family in its own transaction and re-checks, inside
it, everything that could stop destruction, so a hold placed mid-run wins.
"""

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Family, Person
from fss.core.models import AccessLogEntry
from fss.core.services import job_heartbeat, log_access
from retention.destruction import NeedsOneAtATimeError, Plan, carry_out, plan_families
from retention.models import (
    DestructionNotice,
    DestructionRecord,
    DestructionSuspension,
    LegalHold,
    PaperDestructionTask,
    RetentionPolicy,
    SweepRun,
)
from retention.register import configured_key_ids, hashes_by_reference, reference_hash
from retention.selectors import DueFamily, active_suspension, due_families, holds_on_people

logger = logging.getLogger(__name__)

Report = Callable[[str], None]

# A bad policy edit or a wrong clock must not wipe the service (SPEC §7): above this
# many eligible families a run destroys nothing and says why.
DEFAULT_MAX_FAMILIES_PER_RUN = 500
# Backups are "beyond use" and age out on their rotation (domain-rules §8).
DEFAULT_BACKUP_EXPIRY_DAYS = 35
# Families destroyed together: one transaction, one set of DELETEs per table (SPEC §11: ≥ 50 a second).
DEFAULT_BATCH_SIZE = 100
# Any stable 64-bit number: the PostgreSQL advisory lock two sweeps compete for.
SWEEP_LOCK_KEY = 7_007_007_001
# Without PostgreSQL (the embedded SQLite demo) a run marked running this recently holds the lock.
STALE_RUN_AFTER = timedelta(hours=6)


class NotEligibleError(Exception):
    """Re-checked inside its transaction, the family may not go (the reason holds no personal data)."""


class SweepAbortedError(Exception):
    """The run stopped before destroying anything; `run.detail` says why."""

    def __init__(self, run: SweepRun):
        super().__init__(run.detail)
        self.run = run


class SweepIncompleteError(Exception):
    """Some families could not be destroyed; they stay intact and the next run tries again."""

    def __init__(self, run: SweepRun):
        super().__init__(run.detail)
        self.run = run


def max_families_per_run() -> int:
    return getattr(settings, "RETENTION_MAX_FAMILIES_PER_RUN", DEFAULT_MAX_FAMILIES_PER_RUN)


def backup_expiry_days() -> int:
    return getattr(settings, "RETENTION_BACKUP_EXPIRY_DAYS", DEFAULT_BACKUP_EXPIRY_DAYS)


def batch_size() -> int:
    return max(1, getattr(settings, "RETENTION_BATCH_SIZE", DEFAULT_BATCH_SIZE))


# --- Legal holds and the stop switch ---


def _lock_families(family_ids: Iterable[int]) -> set[int]:
    # Serialises with destroy_family, which locks the family first: a hold either
    # commits before the destruction re-checks, or finds the family gone.
    locked = Family.objects.select_for_update().filter(pk__in=list(family_ids))
    return set(locked.values_list("pk", flat=True))


@transaction.atomic
def place_hold(
    *,
    by,
    reason: str,
    review_on: date,
    details: str = "",
    family: Family | None = None,
    person: Person | None = None,
    request=None,
) -> LegalHold:
    """Hold a family's or a person's records: they are not destroyed until the hold is released."""
    if (family is None) == (person is None):
        raise ValidationError("Hold either a family or a person.")
    if reason not in LegalHold.Reason.values:
        raise ValidationError({"reason": "Choose the reason for the hold."})
    if review_on <= timezone.localdate():
        raise ValidationError({"review_on": "The review date must be in the future."})
    if family is not None:
        if not _lock_families([family.pk]):
            raise ValidationError("This family's records have been destroyed.")
    else:
        _lock_families(person.memberships.values_list("family_id", flat=True))
    hold = LegalHold(
        family=family,
        person=person,
        reason=reason,
        review_on=review_on,
        details=details.strip(),
        placed_by=by,
    )
    hold._history_user = by
    hold.full_clean()
    hold.save()
    log_access(
        by=by,
        record=hold,
        action=AccessLogEntry.Action.CHANGE,
        request=request,
        family_id=family.pk if family else None,
        person_id=person.pk if person else None,
    )
    return hold


@transaction.atomic
def place_holds(
    *, families: Iterable[Family], by, reason: str, review_on: date, details: str = ""
) -> list[LegalHold]:
    """Hold several families at once (the review queue's bulk hold); all or none."""
    return [
        place_hold(by=by, reason=reason, review_on=review_on, details=details, family=family)
        for family in families
    ]


@transaction.atomic
def release_hold(*, hold: LegalHold, by, note: str, request=None) -> LegalHold:
    """Release a hold, saying why. Logged, never deleted; overdue records go at the next sweep."""
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active:
        raise ValidationError("This hold has already been released.")
    if not note.strip():
        raise ValidationError({"release_note": "Say why the hold is released."})
    hold.released_by = by
    hold.released_at = timezone.now()
    hold.release_note = note.strip()
    hold._history_user = by
    hold.save()
    log_access(
        by=by,
        record=hold,
        action=AccessLogEntry.Action.CHANGE,
        request=request,
        family_id=hold.family_id,
        person_id=hold.person_id,
    )
    return hold


@transaction.atomic
def suspend_destruction(*, by, reason: str) -> DestructionSuspension:
    """Turn the stop switch on: no sweep destroys anything until it is lifted."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why all destruction is suspended."})
    existing = DestructionSuspension.objects.select_for_update().active().first()
    if existing is not None:
        raise ValidationError("Destruction is already suspended.")
    suspension = DestructionSuspension(reason=reason.strip(), suspended_by=by)
    suspension._history_user = by
    suspension.save()
    return suspension


@transaction.atomic
def lift_suspension(*, suspension: DestructionSuspension, by, note: str) -> DestructionSuspension:
    """Turn the stop switch off, saying why; overdue families go at the next sweep."""
    suspension = DestructionSuspension.objects.select_for_update().get(pk=suspension.pk)
    if not suspension.is_active:
        raise ValidationError("This suspension has already been lifted.")
    if not note.strip():
        raise ValidationError({"lift_note": "Say why destruction may resume."})
    suspension.lifted_by = by
    suspension.lifted_at = timezone.now()
    suspension.lift_note = note.strip()
    suspension._history_user = by
    suspension.save()
    return suspension


# --- The notice list ---


def record_notices(
    *,
    on: date | None = None,
    run: SweepRun | None = None,
    family_ids: Iterable[int] | None = None,
    rows: list[DueFamily] | None = None,
) -> int:
    """List every family due within the notice window that is not yet listed for its current due date.

    The sweep destroys a family only when it was listed at least `notice_days`
    earlier (SPEC §7), so the DPO always had the chance to hold it. `family_ids`
    limits the listing (seed_demo lists its own families as of a month ago).
    `rows` is the due list the caller already read for `on` (the sweep reads it
    once per run); the rows listed now are marked listed today.
    """
    today = on or timezone.localdate()
    if rows is None:
        rows = due_families(on=today, family_ids=family_ids)
    listed = [row for row in rows if row.listed_on is None and row.ended_on is not None]
    DestructionNotice.objects.bulk_create(
        [
            DestructionNotice(
                family=row.family, due_on=row.due_on, first_listed_on=today, policy=row.policy, run=run
            )
            for row in listed
        ],
        ignore_conflicts=True,
    )
    for row in listed:
        row.listed_on = today
    return len(listed)


# --- Destroying families ---


def destroy_family(*, family: Family, run: SweepRun, on: date | None = None) -> DestructionRecord:
    """Destroy one family (see `destroy_families`); NotEligibleError, changing nothing, if it may not go."""
    records, kept = destroy_families(families=[family], run=run, on=on)
    if kept:
        raise NotEligibleError(next(iter(kept.values())))
    return records[0]


def destroy_families(
    *, families: list[Family], run: SweepRun, on: date | None = None
) -> tuple[list[DestructionRecord], dict[int, str]]:
    """Destroy every row about the families and the members no retained family holds; a register entry each.

    One transaction for the batch. Everything that could stop a family is checked
    again inside it, family by family: the family rows are locked first, so a hold
    placed while the sweep runs either commits before this check (and wins) or
    finds the family gone. Returns the register entries and, for each family that
    may not go (and is left untouched), the reason (no personal data).
    """
    today = on or timezone.localdate()
    kept: dict[int, str] = {}
    with transaction.atomic():
        wanted = [family.pk for family in families]
        locked = dict(Family.objects.select_for_update().filter(pk__in=wanted).values_list("pk", "reference"))
        kept.update({pk: "already destroyed" for pk in wanted if pk not in locked})
        rows = {row.family.pk: row for row in due_families(on=today, within_days=0, family_ids=locked)}
        for pk in wanted:
            if pk in kept:
                continue
            row = rows.get(pk)
            if row is None or not row.is_due(today):
                kept[pk] = "not due"
            elif row.blockers:
                kept[pk] = row.blocker_text
            elif not row.may_be_destroyed(today):
                kept[pk] = "not listed for the whole notice period"
        plan = plan_families([pk for pk in wanted if pk not in kept])
        # People the rows name beyond the members (a consent decided by someone else, say) may be held.
        while plan.family_ids:
            held = _held_beyond_members(plan, rows)
            if not held:
                break
            kept.update(held)
            plan = plan_families(plan.without(held))
        if not plan.family_ids:
            return [], kept
        paper = _paper_locations(plan.family_ids)
        result = carry_out(plan)
        records = _register(
            families={pk: locked[pk] for pk in plan.family_ids},
            rows={pk: rows[pk] for pk in plan.family_ids},
            plan=plan,
            result=result,
            paper=paper,
            run=run,
            today=today,
        )
        return records, kept


def _held_beyond_members(plan: Plan, rows: dict[int, DueFamily]) -> dict[int, str]:
    """Families of the plan one of whose non-member people is held: family id -> the reason.

    One lookup for the batch: the people of every family, less its members, checked together.
    """
    extra = {family_id: plan.people_of(family_id) - rows[family_id].people for family_id in plan.family_ids}
    everyone = set().union(*extra.values())
    if not everyone:
        return {}
    held_people = (
        {person for person in everyone if holds_on_people([person])} if _any_held(everyone) else set()
    )
    return {
        family_id: "; ".join(b.text for b in holds_on_people(people & held_people))
        for family_id, people in extra.items()
        if people & held_people
    }


def _any_held(person_ids: set[int]) -> bool:
    from sar.selectors import people_with_open_requests

    return LegalHold.objects.active().filter(person_id__in=person_ids).exists() or bool(
        person_ids & people_with_open_requests()
    )


def _hold_check_text(row: DueFamily, people: int, today: date) -> str:
    return (
        f"Checked inside the destroying transaction on {today:%d %B %Y}: no legal hold on the family or "
        f"its {people} {'person' if people == 1 else 'people'}; no open subject access request, rights "
        "request or complaint about them; destruction not suspended; no open case or referral awaiting "
        f"a decision; listed on {row.listed_on:%d %B %Y} ({row.policy.notice_days} days' notice)."
    )


def _authorised_by(policy: RetentionPolicy, run: SweepRun) -> str:
    authorised = f"{policy.get_record_kind_display()} policy version {policy.version}"
    if policy.created_by is not None:
        authorised += f" (set by {policy.created_by.get_username()})"
    if run.by is not None:
        authorised += f"; run by {run.by.get_username()}"
    return authorised[:200]


def _paper_locations(family_ids: list[int]) -> list[tuple[int, str, str]]:
    """(family id, location, box or barcode) of the families' paper records, read before they go."""
    from cases.models import PaperRecord

    return list(
        PaperRecord.objects.filter(family_id__in=family_ids).values_list(
            "family_id", "location", "box_or_barcode"
        )
    )


def _register(
    *,
    families: dict[int, str],
    rows: dict[int, DueFamily],
    plan: Plan,
    result,
    paper: list[tuple[int, str, str]],
    run: SweepRun,
    today: date,
    replay_of: dict[int, DestructionRecord] | None = None,
    hold_check: str = "",
) -> list[DestructionRecord]:
    """One register entry per destroyed family; its paper locations (not personal data) become the
    records officer's tasks."""
    records = []
    for family_id, reference in families.items():
        row = rows.get(family_id)
        original = (replay_of or {}).get(family_id)
        policy = row.policy if row is not None else original.policy
        hashed, key_id = reference_hash(reference)
        people = plan.people_of(family_id)
        counts = result.counts_for(family_id)
        records.append(
            DestructionRecord(
                run=run,
                record_kind=policy.record_kind,
                policy=policy,
                policy_version=policy.version,
                trigger=policy.trigger,
                trigger_date=row.ended_on if row is not None else original.trigger_date,
                due_on=row.due_on if row is not None else original.due_on,
                listed_on=row.listed_on if row is not None else original.listed_on,
                hold_check=hold_check or _hold_check_text(row, len(people | row.people), today),
                authorised_by=_authorised_by(policy, run),
                row_counts=dict(sorted(counts.items())),
                people_destroyed=len(people),
                people_kept=len(plan.kept_of(family_id)),
                files_deleted=len(result.files_for(family_id)),
                backup_expires_on=today + timedelta(days=backup_expiry_days()),
                reference_hash=hashed,
                hash_key_id=key_id,
                replay_of=original,
            )
        )
    records = DestructionRecord.objects.bulk_create(records)
    by_family = dict(zip(families, records, strict=True))
    PaperDestructionTask.objects.bulk_create(
        PaperDestructionTask(destruction=by_family[family_id], location=location, box_or_barcode=box)
        for family_id, location, box in paper
        if family_id in by_family
    )
    return records


@transaction.atomic
def confirm_paper_destruction(
    *, task: PaperDestructionTask, destroyed_on: date, certificate_number: str, by
) -> PaperDestructionTask:
    """The records officer confirms shredding: date and certificate number (SPEC §7 "Paper")."""
    task = PaperDestructionTask.objects.select_for_update().get(pk=task.pk)
    if task.destroyed_on is not None:
        raise ValidationError("This paper destruction has already been confirmed.")
    if destroyed_on > timezone.localdate():
        raise ValidationError({"destroyed_on": "The date destroyed must be today or in the past."})
    if destroyed_on < task.destruction.destroyed_at.date():
        raise ValidationError(
            {"destroyed_on": "The paper cannot have been destroyed before the electronic records."}
        )
    if not certificate_number.strip():
        raise ValidationError({"certificate_number": "Enter the destruction certificate number."})
    task.destroyed_on = destroyed_on
    task.certificate_number = certificate_number.strip()
    task.confirmed_by = by
    task.confirmed_at = timezone.now()
    task.save()
    return task


# --- The sweep ---


@contextlib.contextmanager
def _sweep_lock() -> Iterator[bool]:
    """True when this process may sweep: no other sweep (or replay) is running."""
    if connection.vendor == "postgresql":
        # Session-level: held across the per-family transactions, released if the process dies.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK_KEY])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])
        return
    # SQLite (the single-process demo) has no advisory locks: a recent running run holds it.
    recent = SweepRun.objects.filter(
        outcome=SweepRun.Outcome.RUNNING, dry_run=False, started_at__gte=timezone.now() - STALE_RUN_AFTER
    )
    yield not recent.exists()


def _close_interrupted_runs() -> None:
    # Holding the lock, no other run is alive: any still marked running died mid-run.
    for run in SweepRun.objects.filter(outcome=SweepRun.Outcome.RUNNING, dry_run=False):
        run.outcome = SweepRun.Outcome.INTERRUPTED
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "finished_at"])


def _finish(run: SweepRun, outcome: str, detail: str = "") -> SweepRun:
    run.outcome = outcome
    run.detail = detail
    run.finished_at = timezone.now()
    run.save()
    return run


def run_sweep(
    *,
    dry_run: bool = False,
    limit: int | None = None,
    by=None,
    on: date | None = None,
    maximum: int | None = None,
    report: Report | None = None,
) -> SweepRun:
    """The nightly sweep: list what falls due, then destroy each eligible family in its own transaction.

    Safe to run twice (the second finds nothing to do) and at the same time (a
    database lock lets one through; the other records that it was skipped).
    Resumable: a crash loses only the family in hand, rolled back whole.
    A dry run changes no records: it reports what would go.
    Raises SweepAbortedError when more families are eligible than the safety
    limit, and SweepIncompleteError when some could not be destroyed, after
    recording the run (so the heartbeat shows the failure and the worker logs it).
    """
    today = on or timezone.localdate()
    report = report or (lambda line: None)
    maximum = max_families_per_run() if maximum is None else maximum
    if dry_run:
        return _dry_run(today=today, limit=limit, by=by, maximum=maximum, report=report)

    with _sweep_lock() as acquired:
        if not acquired:
            run = SweepRun.objects.create(by=by, limit=limit)
            report("Another sweep is running: nothing done.")
            return _finish(run, SweepRun.Outcome.LOCKED, "Another sweep held the lock.")
        _close_interrupted_runs()
        with job_heartbeat("retention_sweep") as beat:
            run = SweepRun.objects.create(by=by, limit=limit)
            try:
                _sweep(run=run, today=today, limit=limit, maximum=maximum, report=report)
            except (SweepAbortedError, SweepIncompleteError):
                beat.summary = run.detail[:500]
                raise
            except BaseException as exc:
                _finish(run, SweepRun.Outcome.FAILED, f"Stopped by an error: {type(exc).__name__}.")
                raise
            beat.summary = _summary(run)[:500]
    return run


def _summary(run: SweepRun) -> str:
    if run.outcome == SweepRun.Outcome.SUSPENDED:
        return "destruction suspended: nothing destroyed"
    return (
        f"destroyed {run.families_destroyed} famil{'y' if run.families_destroyed == 1 else 'ies'}; "
        f"{run.families_blocked} due but held or in their notice period; "
        f"{run.families_listed} newly listed"
    )


def _sweep(*, run: SweepRun, today: date, limit: int | None, maximum: int, report: Report) -> None:
    # The due list is read once per run: listing marks the rows it lists, so a family listed
    # today is kept for its notice period without a second read of every family.
    rows = due_families(on=today)
    run.families_listed = record_notices(on=today, run=run, rows=rows)
    eligible = [row for row in rows if row.may_be_destroyed(today)]
    blocked = [row for row in rows if row.is_due(today) and not row.may_be_destroyed(today)]
    run.families_due = len(eligible)
    run.families_blocked = len(blocked)
    for row in blocked:
        report(f"kept {row.family.reference}: {_why_kept(row, today)}")

    suspension = active_suspension()
    if suspension is not None:
        report(f"Destruction is suspended (since {suspension.suspended_at:%d %B %Y}): nothing destroyed.")
        _finish(
            run,
            SweepRun.Outcome.SUSPENDED,
            f"Destruction suspended since {suspension.suspended_at:%d %B %Y}: {suspension.reason}",
        )
        return
    if len(eligible) > maximum:
        _finish(
            run,
            SweepRun.Outcome.ABORTED,
            f"{len(eligible)} families are due, more than the safety limit of {maximum}: nothing destroyed. "
            "Check the family retention policy and the server clock; if the number is right, raise "
            "RETENTION_MAX_FAMILIES_PER_RUN or run `manage.py retention_sweep --max-families N`.",
        )
        report(run.detail)
        raise SweepAbortedError(run)

    failed: list[int] = []
    chosen = eligible[:limit] if limit is not None else eligible
    size = batch_size()
    for start in range(0, len(chosen), size):
        batch = chosen[start : start + size]
        try:
            records, kept = destroy_families(families=[row.family for row in batch], run=run, on=today)
        except Exception as exc:
            # The batch rolled back whole: each family is tried on its own, so one that cannot be
            # destroyed keeps only itself.
            if not isinstance(exc, NeedsOneAtATimeError):
                logger.warning(
                    "retention: a batch of %s families failed; destroying one at a time", len(batch)
                )
            for row in batch:
                _destroy_one(row=row, run=run, today=today, failed=failed, report=report)
            continue
        references = {row.family.pk: row.family.reference for row in batch}
        destroyed = [row.family.pk for row in batch if row.family.pk not in kept]
        for family_id, reason in kept.items():
            run.families_skipped += 1
            report(f"kept {references[family_id]}: {reason}")
        for family_id, record in zip(destroyed, records, strict=True):
            run.families_destroyed += 1
            _report_destroyed(references[family_id], record, report)
        run.save(update_fields=["families_destroyed", "families_skipped"])
    if failed:
        run.families_failed = len(failed)
        _finish(
            run,
            SweepRun.Outcome.FAILED,
            f"{len(failed)} famil{'y' if len(failed) == 1 else 'ies'} could not be destroyed and "
            f"were rolled back (family ids {', '.join(map(str, failed))}); the next run tries again.",
        )
        raise SweepIncompleteError(run)
    _finish(run, SweepRun.Outcome.COMPLETED)


def _destroy_one(*, row: DueFamily, run: SweepRun, today: date, failed: list[int], report: Report) -> None:
    try:
        record = destroy_family(family=row.family, run=run, on=today)
    except NotEligibleError as exc:
        run.families_skipped += 1
        report(f"kept {row.family.reference}: {exc}")
    except Exception:
        # Rolled back whole; the family stays intact and the next run tries again.
        logger.exception("retention: destroying family %s failed", row.family.pk)
        failed.append(row.family.pk)
        report(f"FAILED {row.family.reference}: rolled back, kept for the next run")
    else:
        run.families_destroyed += 1
        _report_destroyed(row.family.reference, record, report)
    run.save(update_fields=["families_destroyed", "families_skipped"])


def _report_destroyed(reference: str, record: DestructionRecord, report: Report) -> None:
    report(
        f"destroyed {reference}: {record.rows_deleted} rows, {record.people_destroyed} "
        f"people ({record.people_kept} kept by another family), {record.files_deleted} files"
    )


def _why_kept(row: DueFamily, today: date) -> str:
    if row.blockers:
        return row.blocker_text
    if row.destroy_from is None:
        return "listed today: in its notice period"
    return f"in its notice period until {row.destroy_from - timedelta(days=1):%d %B %Y}"


def _dry_run(*, today: date, limit: int | None, by, maximum: int, report: Report) -> SweepRun:
    run = SweepRun.objects.create(dry_run=True, by=by, limit=limit)
    try:
        return _dry_run_report(run=run, today=today, limit=limit, maximum=maximum, report=report)
    except BaseException as exc:
        _finish(run, SweepRun.Outcome.FAILED, f"Stopped by an error: {type(exc).__name__}.")
        raise


def _dry_run_report(
    *, run: SweepRun, today: date, limit: int | None, maximum: int, report: Report
) -> SweepRun:
    rows = due_families(on=today)
    # Not yet listed: a real run today would list it, and destroy it after the notice period.
    eligible = [row for row in rows if row.may_be_destroyed(today)]
    blocked = [row for row in rows if row.is_due(today) and not row.may_be_destroyed(today)]
    run.families_listed = sum(1 for row in rows if row.listed_on is None and row.ended_on is not None)
    run.families_due = len(eligible)
    run.families_blocked = len(blocked)
    for row in blocked:
        report(f"would keep {row.family.reference}: {_why_kept(row, today)}")
    suspension = active_suspension()
    if suspension is not None:
        report("Destruction is suspended: a real run would destroy nothing.")
        return _finish(run, SweepRun.Outcome.SUSPENDED, f"Destruction suspended: {suspension.reason}")
    if len(eligible) > maximum:
        return _finish(
            run,
            SweepRun.Outcome.ABORTED,
            f"{len(eligible)} families are due, more than the safety limit of {maximum}: "
            "a real run would abort.",
        )
    chosen = eligible[:limit] if limit is not None else eligible
    size = batch_size()
    for start in range(0, len(chosen), size):
        batch = chosen[start : start + size]
        plan = plan_families([row.family.pk for row in batch])
        for row in batch:
            rows_planned = sum(plan.planned_counts(row.family.pk).values())
            report(
                f"would destroy {row.family.reference}: due {row.due_on:%d %B %Y}, {rows_planned} rows "
                f"(and their history), {len(plan.people_of(row.family.pk))} people "
                f"({len(plan.kept_of(row.family.pk))} kept by another family)"
            )
    return _finish(run, SweepRun.Outcome.COMPLETED)


# --- Replaying the register after a restore ---


def import_register_entries(*, entries: Iterable[dict], run: SweepRun) -> int:
    """Add register entries exported before a restore that the restored database lacks. Returns how many."""
    known = set(DestructionRecord.objects.values_list("surrogate_id", flat=True))
    added = 0
    for entry in entries:
        surrogate = uuid.UUID(entry["surrogate_id"])
        if surrogate in known:
            continue
        policy = (
            RetentionPolicy.objects.filter(
                record_kind=entry["record_kind"], version=entry["policy_version"]
            ).first()
            or RetentionPolicy.objects.filter(record_kind=entry["record_kind"]).order_by("-version").first()
        )
        record = DestructionRecord(
            surrogate_id=surrogate,
            run=run,
            record_kind=entry["record_kind"],
            policy=policy,
            policy_version=entry["policy_version"],
            trigger=entry["trigger"],
            trigger_date=date.fromisoformat(entry["trigger_date"]),
            due_on=date.fromisoformat(entry["due_on"]),
            listed_on=date.fromisoformat(entry["listed_on"]) if entry.get("listed_on") else None,
            hold_check=entry["hold_check"],
            authorised_by=entry["authorised_by"],
            method=entry["method"],
            systems_covered=entry["systems_covered"],
            row_counts=entry["row_counts"],
            people_destroyed=entry["people_destroyed"],
            people_kept=entry["people_kept"],
            files_deleted=entry["files_deleted"],
            backup_expires_on=date.fromisoformat(entry["backup_expires_on"]),
            reference_hash=entry["reference_hash"],
            hash_key_id=entry["hash_key_id"],
        )
        record.save()
        # The original date, not the import's (auto_now_add set it on insert).
        DestructionRecord.objects.filter(pk=record.pk).update(destroyed_at=entry["destroyed_at"])
        added += 1
    return added


def replay_register(
    *, by=None, dry_run: bool = False, entries: Iterable[dict] | None = None, report: Report | None = None
) -> SweepRun:
    """Destroy again every family a restored backup brought back (domain-rules §8).

    A family whose reference hash is in the destruction register was destroyed:
    it is destroyed again, whatever holds or notices the restored copy carries,
    and a new register entry points at the original. `entries` (an export of
    the register taken before the restore) adds entries the restored database
    lacks. Raises SweepIncompleteError when some entries were hashed with a key
    that is not configured, so they could not be checked.
    """
    report = report or (lambda line: None)
    today = timezone.localdate()
    with _sweep_lock() as acquired:
        if not acquired:
            raise SweepAbortedError(
                _finish(
                    SweepRun.objects.create(kind=SweepRun.Kind.REPLAY, by=by, dry_run=dry_run),
                    SweepRun.Outcome.LOCKED,
                    "Another sweep held the lock.",
                )
            )
        run = SweepRun.objects.create(kind=SweepRun.Kind.REPLAY, by=by, dry_run=dry_run)
        if entries is not None and not dry_run:
            added = import_register_entries(entries=entries, run=run)
            report(f"imported {added} register entries the restored database lacked")
        originals = {
            record.reference_hash: record
            for record in DestructionRecord.objects.filter(replay_of__isnull=True).select_related("policy")
        }
        if entries is not None and dry_run:
            for entry in entries:
                originals.setdefault(entry["reference_hash"], None)
        unknown_keys = set(
            DestructionRecord.objects.exclude(hash_key_id__in=configured_key_ids()).values_list(
                "hash_key_id", flat=True
            )
        )
        found = 0
        references = dict(Family.objects.values_list("reference", "pk"))
        for reference, hashes in hashes_by_reference(references).items():
            match = next((originals[h] for h in hashes if h in originals), False)
            if match is False:
                continue
            found += 1
            if dry_run:
                report(f"would destroy {reference} again (it is in the destruction register)")
                continue
            _replay_one(family_id=references[reference], original=match, run=run, today=today)
            run.families_destroyed += 1
            report(f"destroyed {reference} again (register entry {match.surrogate_id if match else '-'})")
        run.families_due = found
        if unknown_keys:
            _finish(
                run,
                SweepRun.Outcome.FAILED,
                f"{len(unknown_keys)} key(s) that made register hashes are not in FIELD_ENCRYPTION_KEY: "
                "families destroyed under them could not be checked. Add the old key(s) and run again.",
            )
            report(run.detail)
            raise SweepIncompleteError(run)
        return _finish(run, SweepRun.Outcome.COMPLETED)


def _replay_one(
    *, family_id: int, original: DestructionRecord, run: SweepRun, today: date
) -> DestructionRecord:
    with transaction.atomic():
        family = Family.objects.select_for_update().get(pk=family_id)
        plan = plan_families([family.pk])
        paper = _paper_locations(plan.family_ids)
        result = carry_out(plan)
        [record] = _register(
            families={family.pk: family.reference},
            rows={},
            plan=plan,
            result=result,
            paper=paper,
            run=run,
            today=today,
            replay_of={family.pk: original},
            hold_check=(
                f"Replay after a restore from backup: already destroyed on {original.destroyed_at:%d %B %Y} "
                f"(register entry {original.surrogate_id}); holds in the restored copy do not apply."
            ),
        )
        return record
