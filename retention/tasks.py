"""The nightly retention sweep, run by Celery beat (fss/celery.py) and by `manage.py retention_sweep`."""

from celery import shared_task

from retention.services import run_sweep


@shared_task
def retention_sweep() -> dict:
    """Destroy every family due, listed long enough and not held (SPEC §7).

    Takes no arguments and is safe to run twice: the second run finds nothing
    left to destroy, or finds the first still running and records that it was
    skipped. An aborted or incomplete run raises after recording itself, so the
    worker logs it and the heartbeat shows the failure.
    """
    run = run_sweep()
    return {"run": run.pk, "outcome": run.outcome, "destroyed": run.families_destroyed}
