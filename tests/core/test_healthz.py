"""GET /healthz: database, broker and last retention sweep as JSON, without login (SPEC §10)."""

from datetime import UTC, datetime

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
        "last_retention_sweep": None,
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
    }
