"""Scheduled jobs of the sharing app (SPEC §6.1, §6.2, §10): reminders before agreements are reviewed
or end, and when partners have not answered referrals. Safe to run twice; records a heartbeat; a
failure is raised, never swallowed. The returns' jobs are in `sharing.returns.tasks`."""

from celery import shared_task

from fss.core.services import job_heartbeat
from sharing.reminders import make_reminders


@shared_task
def sharing_reminders() -> int:
    """Remind the DPO's team of agreements due for review or ending, and workers of unanswered referrals."""
    with job_heartbeat("sharing_reminders") as beat:
        run = make_reminders()
        beat.summary = f"made {len(run.made)} reminders, closed {run.closed}"
    return len(run.made)
