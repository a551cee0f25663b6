"""Two sweeps at once (SPEC §7): a database lock lets one through; the other records that it was
skipped, and every family is destroyed exactly once. PostgreSQL only: the lock is an advisory lock."""

import threading
import time

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, connections

from retention import services
from retention.models import DestructionRecord, SweepRun
from tests.retention.conftest import closed_family, list_for_destruction

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the sweep's lock is a PostgreSQL advisory lock"
    ),
]


def _in_thread(target, results, barrier):
    def run():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_two_sweeps_at_once_destroy_each_family_exactly_once(today, monkeypatch):
    families = [closed_family(closed_on=today - relativedelta(years=8, days=n)) for n in range(3)]
    list_for_destruction(today)
    destroy = services.destroy_families

    def slow_destroy(**kwargs):
        time.sleep(0.3)  # keep the first sweep inside its lock while the second arrives
        return destroy(**kwargs)

    monkeypatch.setattr(services, "destroy_families", slow_destroy)
    results, barrier = [], threading.Barrier(2)
    threads = [_in_thread(lambda: services.run_sweep(on=today), results, barrier) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r.outcome for r in results) == [SweepRun.Outcome.COMPLETED, SweepRun.Outcome.LOCKED]
    assert DestructionRecord.objects.count() == 3
    assert sorted(r.families_destroyed for r in results) == [0, 3]
    assert not any(type(f).objects.filter(pk=f.pk).exists() for f in families)


def _wait_until_the_server_released_the_lock():
    # The server ends the closed session's backend (and drops its lock) a moment after the close.
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [services.SWEEP_LOCK_KEY])
            if cursor.fetchone()[0]:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [services.SWEEP_LOCK_KEY])
                return
            time.sleep(0.05)
    raise AssertionError("the advisory lock was not released")


def test_a_sweep_waits_for_nothing_when_another_holds_the_lock_and_the_next_run_works(today):
    family = closed_family(closed_on=today - relativedelta(years=8))
    list_for_destruction(today)
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [services.SWEEP_LOCK_KEY])
        skipped = services.run_sweep(on=today)
        assert skipped.outcome == SweepRun.Outcome.LOCKED
        assert type(family).objects.filter(pk=family.pk).exists()
    finally:
        holder.close()  # a dead process releases its lock with its connection
    _wait_until_the_server_released_the_lock()
    done = services.run_sweep(on=today)
    assert (done.outcome, done.families_destroyed) == (SweepRun.Outcome.COMPLETED, 1)


def test_a_hold_placed_by_another_session_during_destruction_waits_and_then_finds_the_family_gone(today, dpo):
    """The family row is locked first, so a hold and a destruction never interleave."""
    from retention.models import LegalHold

    family = closed_family(closed_on=today - relativedelta(years=8))
    list_for_destruction(today)
    carry_out = services.carry_out
    started, outcome = threading.Event(), {}

    def slow_carry_out(plan):
        started.set()
        time.sleep(0.5)
        return carry_out(plan)

    def hold():
        started.wait(timeout=10)
        try:
            services.place_hold(
                by=dpo,
                family=family,
                reason=LegalHold.Reason.INQUIRY,
                review_on=today + relativedelta(days=5),
            )
            outcome["hold"] = "placed"
        except Exception as exc:  # noqa: BLE001
            outcome["hold"] = " ".join(getattr(exc, "messages", [type(exc).__name__]))
        finally:
            connections.close_all()

    services_carry_out = pytest.MonkeyPatch()
    services_carry_out.setattr(services, "carry_out", slow_carry_out)
    try:
        thread = threading.Thread(target=hold)
        thread.start()
        run = services.run_sweep(on=today)
        thread.join(timeout=30)
    finally:
        services_carry_out.undo()
    assert run.families_destroyed == 1
    # The hold waited for the family's lock, then found the family gone.
    assert outcome["hold"] == "This family's records have been destroyed."
    assert not LegalHold.objects.exists()
