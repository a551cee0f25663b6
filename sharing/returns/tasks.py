"""Scheduled jobs for returns (SPEC §6.3, §7): follow-up tasks before participation records lapse, and
the destruction of expired return files. Each takes no arguments (or ids), is safe to run twice, and
records a heartbeat; a failure is raised, never swallowed.

Celery's autodiscovery finds `<app>.tasks` modules only: `fss/celery.py` must also discover
`sharing.returns` and schedule these (daily) for them to run on their own.
"""

from celery import shared_task

from fss.core.services import job_heartbeat
from sharing.returns import services


@shared_task
def participation_follow_ups() -> int:
    """Make follow-up tasks for young people whose activity must be confirmed again soon (domain-rules §7)."""
    with job_heartbeat("participation_follow_ups") as beat:
        made = services.create_follow_up_tasks()
        beat.summary = f"made {made} follow-up tasks"
    return made


@shared_task
def purge_expired_return_files() -> list[int]:
    """Destroy the council's copies of return files past their expiry (SPEC §6.3; domain-rules §8)."""
    with job_heartbeat("purge_expired_return_files") as beat:
        done = services.purge_expired_return_files()
        beat.summary = f"destroyed {len(done)} return files"
    return done
