"""Worker tasks for subject access (SPEC §8.1): compiling a request, drawing a package's PDF, deadline
reminders and purging expired packages.

Tasks take ids, look the rows up and call a service; both are safe to run twice.
"""

from celery import shared_task

from fss.core.services import job_heartbeat
from sar import services


@shared_task
def compile_sar(request_id: int) -> dict:
    """Compile the request's waiting compilation, recording progress as it goes.

    A second run finds nothing waiting and does nothing; a failure is recorded
    on the compilation and re-raised for the worker's log.
    """
    compilation = services.run_compilation(request_id=request_id)
    if compilation is None:
        return {"request": request_id, "compiled": False}
    return {"request": request_id, "compiled": True, "items": compilation.item_count}


@shared_task
def render_package_pdf(package_id: int) -> dict:
    """Draw a package's PDF (WeasyPrint; minutes for a large file). A second run does nothing."""
    package = services.draw_package_pdf(package_id=package_id)
    return {"package": package_id, "drawn": package is not None}


@shared_task
def purge_expired_packages() -> int:
    """Delete the files of download packages past their expiry (the sar_package retention policy)."""
    with job_heartbeat("purge_sar_packages") as beat:
        purged = services.purge_expired_packages()
        beat.summary = f"purged {len(purged)} expired packages"
    return len(purged)


@shared_task
def deadline_reminders() -> int:
    """Remind the officer (or the DPO's team) of deadlines near or passed, each once (sar.reminders)."""
    from sar.reminders import make_reminders

    with job_heartbeat("sar_reminders") as beat:
        run = make_reminders()
        beat.summary = f"made {len(run.made)} reminders, closed {run.closed}"
    return len(run.made)
