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
from retention.destruction import carry_out, plan_family
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
    *, on: date | None = None, run: SweepRun | None = None, family_ids: Iterable[int] | None = None
) -> int:
    """List every family due within the notice window that is not yet listed for its current due date.

    The sweep destroys a family only when it was listed at least `notice_days`
    earlier (SPEC §7), so the DPO always had the chance to hold it. `family_ids`
    limits the listing (seed_demo lists its own families as of a month ago).
    """
    today = on or timezone.localdate()
    new = [
        DestructionNotice(
            family=row.family, due_on=row.due_on, first_listed_on=today, policy=row.policy, run=run
        )
        for row in due_families(on=today, family_ids=family_ids)
        if row.listed_on is None and row.ended_on is not None
    ]
    DestructionNotice.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- Destroying one family ---


def destroy_family(*, family: Family, run: SweepRun, on: date | None = None) -> DestructionRecord:
    """Destroy every row about the family and its members no retained family holds; record it in the register.

    One transaction. Everything that could stop it is checked again inside:
    the family row is locked first, so a hold placed while the sweep runs
    either commits before this check (and wins) or finds the family gone.
    Raises NotEligibleError (and changes nothing) when it may not go.
    """
    today = on or timezone.localdate()
    with transaction.atomic():
        locked = Family.objects.select_for_update().filter(pk=family.pk).first()
        if locked is None:
            raise NotEligibleError("already destroyed")
        rows = due_families(on=today, within_days=0, family_ids=[locked.pk])
        if not rows or not rows[0].is_due(today):
            raise NotEligibleError("not due")
        row = rows[0]
        if row.blockers:
            raise NotEligibleError(row.blocker_text)
        if not row.may_be_destroyed(today):
            raise NotEligibleError("not listed for the whole notice period")
        plan = plan_family(locked.pk)
        extra = holds_on_people(plan.person_ids - row.people)
        if extra:
            raise NotEligibleError("; ".join(b.text for b in extra))
        return _destroy(
            family=locked,
            plan=plan,
            run=run,
            today=today,
            policy=row.policy,
            trigger_date=row.ended_on,
            due_on=row.due_on,
            listed_on=row.listed_on,
            hold_check=_hold_check_text(row, plan, today),
        )


def _hold_check_text(row: DueFamily, plan, today: date) -> str:
    people = len(plan.person_ids | row.people)
    return (
        f"Checked inside the destroying transaction on {today:%d %B %Y}: no legal hold on the family or "
        f"its {people} {'person' if people == 1 else 'people'}; no open subject access request, rights "
        "request or complaint about them; destruction not suspended; no open case or referral awaiting "
        f"a decision; listed on {row.listed_on:%d %B %Y} ({row.policy.notice_days} days' notice)."
    )


def _destroy(
    *,
    family: Family,
    plan,
    run: SweepRun,
    today: date,
    policy: RetentionPolicy,
    trigger_date: date,
    due_on: date,
    listed_on: date | None,
    hold_check: str,
    replay_of: DestructionRecord | None = None,
) -> DestructionRecord:
    hashed, key_id = reference_hash(family.reference)
    # Paper locations are not personal data; they become the records officer's tasks.
    paper = list(family.paper_records.values_list("location", "box_or_barcode"))
    result = carry_out(plan)
    authorised = f"{policy.get_record_kind_display()} policy version {policy.version}"
    if policy.created_by is not None:
        authorised += f" (set by {policy.created_by.get_username()})"
    if run.by is not None:
        authorised += f"; run by {run.by.get_username()}"
    record = DestructionRecord.objects.create(
        run=run,
        record_kind=policy.record_kind,
        policy=policy,
        policy_version=policy.version,
        trigger=policy.trigger,
        trigger_date=trigger_date,
        due_on=due_on,
        listed_on=listed_on,
        hold_check=hold_check,
        authorised_by=authorised[:200],
        row_counts=dict(sorted(result.row_counts.items())),
        people_destroyed=len(plan.person_ids),
        people_kept=len(plan.people_kept),
        files_deleted=len(result.files),
        backup_expires_on=today + timedelta(days=backup_expiry_days()),
        reference_hash=hashed,
        hash_key_id=key_id,
        replay_of=replay_of,
    )
    PaperDestructionTask.objects.bulk_create(
        PaperDestructionTask(destruction=record, location=location, box_or_barcode=box)
        for location, box in paper
    )
    return record


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
    run.families_listed = record_notices(on=today, run=run)
    rows = due_families(on=today)
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
    for row in eligible[:limit] if limit is not None else eligible:
        try:
            record = destroy_family(family=row.family, run=run, on=today)
        except NotEligibleError as exc:
            run.families_skipped += 1
            report(f"kept {row.family.reference}: {exc}")
            continue
        except Exception:
            # Rolled back whole; the family stays intact and the next run tries again.
            logger.exception("retention: destroying family %s failed", row.family.pk)
            failed.append(row.family.pk)
            report(f"FAILED {row.family.reference}: rolled back, kept for the next run")
            continue
        run.families_destroyed += 1
        report(
            f"destroyed {row.family.reference}: {record.rows_deleted} rows, {record.people_destroyed} "
            f"people ({record.people_kept} kept by another family), {record.files_deleted} files"
        )
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
    for row in eligible[:limit] if limit is not None else eligible:
        plan = plan_family(row.family.pk)
        rows_planned = sum(plan.planned_counts().values())
        report(
            f"would destroy {row.family.reference}: due {row.due_on:%d %B %Y}, {rows_planned} rows "
            f"(and their history), {len(plan.person_ids)} people "
            f"({len(plan.people_kept)} kept by another family)"
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
        plan = plan_family(family.pk)
        return _destroy(
            family=family,
            plan=plan,
            run=run,
            today=today,
            policy=original.policy,
            trigger_date=original.trigger_date,
            due_on=original.due_on,
            listed_on=original.listed_on,
            hold_check=(
                f"Replay after a restore from backup: already destroyed on {original.destroyed_at:%d %B %Y} "
                f"(register entry {original.surrogate_id}); holds in the restored copy do not apply."
            ),
            replay_of=original,
        )
