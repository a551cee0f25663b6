"""Settings: production refuses demo keys, and `check --deploy` is clean (SPEC §9, §10)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Hq2m9RfT4vLp8sW3zNc6bJ1yKd5gAe0uQo-iXr_VtM!hZwP@lE#nF$jG%kC^sD",
    "FIELD_ENCRYPTION_KEY": "production-like-field-key-for-tests-only-8c1f0e7d",
    "ALLOWED_HOSTS": "fss.example.gov.uk",
    "DATABASE_URL": "sqlite:///:memory:",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


TEST_ONLY = {"SECURE_SSL_REDIRECT", "STATICFILES_BACKEND", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS"}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Drop every setting the test run itself injected (pytest-env), so the child
    # process sees only what this test gives it.
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in TEST_ONLY}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_debug_off_refuses_to_start_on_a_demo_key(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} is the public demo key" in result.stderr


def test_debug_on_starts_on_demo_keys():
    env = {"DEBUG": "true", "DATABASE_URL": "sqlite:///:memory:"}
    result = _manage("check", env=env)
    assert result.returncode == 0, result.stderr
