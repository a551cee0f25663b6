"""The Celery app. Broker and reliability settings live in fss.settings (CELERY_*).

The beat schedule is declared here, in code, so it is reviewed like code.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fss.settings")

app = Celery("fss")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Sessions past their idle timeout hold a signed-in staff identity: remove them nightly.
    "clear-expired-sessions": {
        "task": "fss.core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=1, minute=30),
    },
    # The 7-year rule (SPEC §7): destroys the families due, listed and not held. Its own
    # database lock makes an overlapping run harmless; /healthz warns after 48 hours without success.
    "retention-sweep": {
        "task": "retention.tasks.retention_sweep",
        "schedule": crontab(hour=2, minute=15),
    },
}
