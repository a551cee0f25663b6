"""A real Celery worker runs a task sent through Redis and writes to PostgreSQL (SPEC §10).

Runs when CELERY_BROKER_URL points at Redis and the database is PostgreSQL (as in
CI). Elsewhere it is skipped, unless FSS_REQUIRE_INTEGRATION is set, when a
missing service fails the test instead: CI sets it so the proof cannot be skipped.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from fss.core.models import JobHeartbeat
from fss.core.tasks import clear_expired_sessions

BASE_DIR = Path(__file__).resolve().parents[2]


def _require_real_services():
    broker = os.environ.get("CELERY_BROKER_URL", "")
    problems = []
    if not broker.startswith("redis://"):
        problems.append("CELERY_BROKER_URL does not point at Redis")
    if connection.vendor != "postgresql":
        problems.append("the database is not PostgreSQL")
    if problems:
        message = "; ".join(problems)
        if os.environ.get("FSS_REQUIRE_INTEGRATION"):
            pytest.fail(f"integration test required but {message}")
        pytest.skip(message)
    return broker


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_runs_a_task_sent_through_redis_and_writes_to_the_database():
    broker = _require_real_services()
    queue = f"fss-test-{uuid.uuid4().hex}"
    Session.objects.create(
        session_key="expired-session",
        session_data="",
        expire_date=timezone.now() - timedelta(hours=1),
    )
    env = os.environ | {
        "DATABASE_URL": _database_url(),  # the test database this test process is using
        "CELERY_BROKER_URL": broker,
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "fss",
            "worker",
            "--queues",
            queue,
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        clear_expired_sessions.apply_async(queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and worker.poll() is None:
            if JobHeartbeat.objects.filter(
                job="clear_expired_sessions", outcome=JobHeartbeat.Outcome.SUCCEEDED
            ).exists():
                break
            time.sleep(0.25)
        assert worker.poll() is None, f"worker exited early: {worker.stdout.read()}"
        beat = JobHeartbeat.objects.get(job="clear_expired_sessions")
        assert beat.outcome == JobHeartbeat.Outcome.SUCCEEDED
        assert beat.summary == "deleted 1 expired sessions"
        assert not Session.objects.filter(session_key="expired-session").exists()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        import redis

        redis.Redis.from_url(broker).delete(queue)
