"""Scheduled jobs record heartbeats, never swallow failures, and are safe to run twice."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from fss.celery import app
from fss.core.models import JobHeartbeat
from fss.core.services import job_heartbeat
from fss.core.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def _session(key: str, expires_in: timedelta) -> Session:
    return Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + expires_in)


def test_clear_expired_sessions_deletes_only_expired_ones_and_records_a_heartbeat():
    _session("expired", timedelta(minutes=-1))
    _session("live", timedelta(minutes=10))
    assert clear_expired_sessions.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    beat = JobHeartbeat.objects.get(job="clear_expired_sessions")
    assert beat.outcome == JobHeartbeat.Outcome.SUCCEEDED
    assert beat.summary == "deleted 1 expired sessions"
    # A second run finds nothing to do.
    assert clear_expired_sessions.delay().get() == 0


def test_a_failing_job_is_recorded_and_the_error_is_raised():
    with pytest.raises(RuntimeError), job_heartbeat("fragile"):
        raise RuntimeError("boom")
    beat = JobHeartbeat.objects.get(job="fragile")
    assert beat.outcome == JobHeartbeat.Outcome.FAILED
    assert beat.summary == "failed: RuntimeError"
    assert beat.last_finished_at is not None


def test_beat_schedule_is_declared_in_code_for_registered_tasks():
    schedule = app.conf.beat_schedule
    assert schedule["clear-expired-sessions"]["task"] == "fss.core.tasks.clear_expired_sessions"
    app.loader.import_default_modules()
    for entry in schedule.values():
        assert entry["task"] in app.tasks


def test_celery_is_configured_for_reliability():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
