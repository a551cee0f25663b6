"""GET /healthz: database, broker and last retention sweep as JSON, without login (SPEC §10)."""

from datetime import UTC, datetime, timedelta

import pytest

from fss.core.factories import JobHeartbeatFactory
from fss.core.models import JobHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_ok_and_eager_broker_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "eager",
        "last_retention_sweep": {
            "started_at": None,
            "finished_at": None,
            "outcome": None,
            "last_succeeded_at": None,
            "sweep_overdue": True,  # never run
        },
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    from fss.celery import app

    unreachable = "redis://127.0.0.1:1/0"  # a port nothing listens on
    monkeypatch.setenv("CELERY_BROKER_URL", unreachable)  # Celery reads the variable first
    previous = app.conf.broker_url
    app.conf.task_always_eager = False  # restored by the autouse fixture in conftest
    app.conf.broker_url = unreachable
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["status"] == "unavailable"


def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    from fss import views

    monkeypatch.setattr(views, "_database_status", lambda: "unavailable")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_shows_the_last_retention_sweep(client):
    finished = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    JobHeartbeatFactory(
        job="retention_sweep",
        last_started_at=finished,
        last_finished_at=finished,
        outcome=JobHeartbeat.Outcome.SUCCEEDED,
    )
    sweep = client.get("/healthz").json()["last_retention_sweep"]
    assert sweep == {
        "started_at": finished.isoformat(),
        "finished_at": finished.isoformat(),
        "outcome": "succeeded",
        "last_succeeded_at": None,  # the heartbeat alone does not prove a sweep ran
        "sweep_overdue": True,
    }


@pytest.mark.parametrize(
    ("hours_ago", "overdue"),
    [(1, False), (47, False), (49, True)],
)
def test_healthz_warns_when_the_last_successful_sweep_is_older_than_48_hours(client, hours_ago, overdue):
    from django.utils import timezone

    from retention.models import SweepRun

    finished = timezone.now() - timedelta(hours=hours_ago)
    SweepRun.objects.create(outcome=SweepRun.Outcome.COMPLETED, finished_at=finished)
    # A later failure does not count as a success.
    SweepRun.objects.create(outcome=SweepRun.Outcome.FAILED, finished_at=timezone.now())
    sweep = client.get("/healthz").json()["last_retention_sweep"]
    assert sweep["last_succeeded_at"] == finished.isoformat()
    assert sweep["sweep_overdue"] is overdue
