"""Worker tasks for the cases app: large imports of external data (SPEC §4.5).

Tasks take an import's id (never a name), look it up and call `cases.imports`; each is safe to
run twice (a finished step returns at once) and re-raises failures for the worker's log after
recording them on the import.
"""

from celery import shared_task

from cases import imports
from fss.core.services import job_heartbeat


@shared_task
def preview_import(import_id: int) -> dict:
    """Check and match every row of a large file, updating the progress bar as it goes."""
    imp = imports.build_preview(import_id=import_id)
    return {"import": import_id, "previewed": imp is not None}


@shared_task
def commit_import_task(import_id: int) -> dict:
    """Save a large import, all or nothing."""
    imp = imports.commit_import(import_id=import_id)
    return {"import": import_id, "status": imp.status}


@shared_task
def purge_abandoned_imports() -> int:
    """Remove the files of imports left unsaved (cases.imports.ABANDONED_AFTER)."""
    with job_heartbeat("purge_abandoned_imports") as beat:
        purged = imports.purge_abandoned_imports()
        beat.summary = f"purged {len(purged)} abandoned imports"
    return len(purged)
