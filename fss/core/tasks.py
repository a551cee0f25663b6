"""Scheduled housekeeping jobs shared by every app."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from fss.core.services import job_heartbeat


@shared_task
def clear_expired_sessions() -> int:
    """Delete sessions past their expiry; safe to run twice (the second deletes nothing)."""
    with job_heartbeat("clear_expired_sessions") as beat:
        deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        beat.summary = f"deleted {deleted} expired sessions"
    return deleted
