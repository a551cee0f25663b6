"""Builders for the DPO console's tests: a known number of each thing the dashboard counts."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.factories import CaseFactory, FamilyFactory, MembershipFactory, PersonFactory
from retention.models import DestructionRecord, LegalHold, PaperDestructionTask, RetentionPolicy, SweepRun


@pytest.fixture
def today():
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def family_due_on(due_on: datetime.date, *, team=None):
    """A family whose only case closed so that the 7-year rule makes it due on `due_on`."""
    family = FamilyFactory(team=team) if team is not None else FamilyFactory()
    closed_on = due_on - relativedelta(years=7)
    MembershipFactory(family=family, person=PersonFactory(), start_date=closed_on - relativedelta(years=1))
    CaseFactory(family=family, closed=True, closed_on=closed_on)
    return family


def sweep_run(*, by=None, outcome=SweepRun.Outcome.COMPLETED, finished_at=None) -> SweepRun:
    return SweepRun.objects.create(
        by=by, outcome=outcome, finished_at=finished_at if finished_at is not None else timezone.now()
    )


def destruction_record(*, run: SweepRun, replay_of=None, destroyed_at=None) -> DestructionRecord:
    today = timezone.localdate()
    record = DestructionRecord.objects.create(
        run=run,
        record_kind=RetentionPolicy.RecordKind.FAMILY_CASE_FILE,
        policy=RetentionPolicy.objects.order_by("pk").first(),
        policy_version=1,
        trigger="latest_case_closure",
        trigger_date=today - relativedelta(years=7),
        due_on=today,
        backup_expires_on=today + days(35),
        reference_hash="0" * 64,
        hash_key_id="k1",
        replay_of=replay_of,
    )
    if destroyed_at is not None:
        DestructionRecord.objects.filter(pk=record.pk).update(destroyed_at=destroyed_at)
        record.refresh_from_db()
    return record


def paper_task(*, record: DestructionRecord, done_by=None) -> PaperDestructionTask:
    if done_by is None:
        return PaperDestructionTask.objects.create(destruction=record, location="Basement store")
    return PaperDestructionTask.objects.create(
        destruction=record,
        location="Basement store",
        destroyed_on=timezone.localdate(),
        certificate_number="CERT-1",
        confirmed_by=done_by,
        confirmed_at=timezone.now(),
    )


def legal_hold(*, by, review_on, family=None, released=False) -> LegalHold:
    return LegalHold.objects.create(
        family=family or FamilyFactory(),
        reason=LegalHold.Reason.LITIGATION,
        review_on=review_on,
        placed_by=by,
        released_by=by if released else None,
        released_at=timezone.now() if released else None,
    )
