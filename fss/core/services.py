"""Writes every app shares: the access log and job heartbeats."""

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from fss.core.models import AccessLogEntry, JobHeartbeat


def client_ip(request) -> str | None:
    """The client's address, trusting exactly TRUSTED_PROXY_COUNT proxies.

    With N trusted proxies, the client is the N-th address from the right of
    X-Forwarded-For; anything further left was written by the client and could
    be forged.
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    *,
    by,
    record: models.Model,
    action: str = AccessLogEntry.Action.VIEW,
    request=None,
    family_id: int | None = None,
    person_id: int | None = None,
    reason: str = "",
    is_break_glass: bool = False,
) -> AccessLogEntry:
    """Record that `by` touched a personal record (SPEC §9: who, when, what, why, from where)."""
    match = getattr(request, "resolver_match", None)
    return AccessLogEntry.objects.create(
        user=by,
        action=action,
        record_type=record._meta.label_lower,
        record_id=str(record.pk),
        family_id=family_id,
        person_id=person_id,
        reason=reason,
        is_break_glass=is_break_glass,
        ip_address=client_ip(request),
        view_name=match.view_name if match else "",
    )


def log_access_to_families(
    *, by, families, action: str = AccessLogEntry.Action.VIEW, request=None
) -> list[AccessLogEntry]:
    """`log_access` for several families read at once (a search's results), in one INSERT."""
    match = getattr(request, "resolver_match", None)
    ip_address = client_ip(request)
    return AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                user=by,
                action=action,
                record_type=family._meta.label_lower,
                record_id=str(family.pk),
                family_id=family.pk,
                ip_address=ip_address,
                view_name=match.view_name if match else "",
            )
            for family in families
        ]
    )


@contextlib.contextmanager
def job_heartbeat(job: str) -> Iterator[JobHeartbeat]:
    """Record the start and end of a scheduled job; the caller may set `.summary`.

    A failure is recorded and re-raised: jobs never swallow exceptions.
    """
    beat, _ = JobHeartbeat.objects.get_or_create(job=job)
    beat.last_started_at = timezone.now()
    beat.outcome = JobHeartbeat.Outcome.RUNNING
    beat.summary = ""
    beat.save()
    try:
        yield beat
    except BaseException as exc:
        with transaction.atomic():
            beat.outcome = JobHeartbeat.Outcome.FAILED
            beat.last_finished_at = timezone.now()
            beat.summary = f"failed: {type(exc).__name__}"
            beat.save()
        raise
    beat.outcome = JobHeartbeat.Outcome.SUCCEEDED
    beat.last_finished_at = timezone.now()
    beat.save()
