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
# Tasks in sub-packages (autodiscovery looks only at <app>.tasks).
app.autodiscover_tasks(["sharing.returns"])

app.conf.beat_schedule = {
    # Sessions past their idle timeout hold a signed-in staff identity: remove them nightly.
    "clear-expired-sessions": {
        "task": "fss.core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=1, minute=30),
    },
    # The 7-year rule (SPEC §7): destroys the families due, listed and not held. Its own
    # database lock makes an overlapping run harmless; /healthz warns after 48 hours without success.
    # Expired subject access packages (30 days by the sar_package policy) leave storage.
    "purge-sar-packages": {
        "task": "sar.tasks.purge_expired_packages",
        "schedule": crontab(hour=3, minute=0),
    },
    # Deadline reminders for SARs, rights and FOI requests and complaints, once per deadline (SPEC §8.1).
    "sar-deadline-reminders": {
        "task": "sar.tasks.deadline_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # Participation of young people: follow-up tasks before activity records lapse (domain-rules §7).
    "participation-follow-ups": {
        "task": "sharing.returns.tasks.participation_follow_ups",
        "schedule": crontab(hour=6, minute=0),
    },
    # Return files leave storage when their policy says (ONS files wait for confirmed destruction).
    "purge-return-files": {
        "task": "sharing.returns.tasks.purge_expired_return_files",
        "schedule": crontab(hour=3, minute=30),
    },
    # Agreements due for review or ending (for the DPO's team), and referrals partners have not
    # answered (for the worker who sent them): SPEC §6.1, §6.2.
    "sharing-reminders": {
        "task": "sharing.tasks.sharing_reminders",
        "schedule": crontab(hour=6, minute=15),
    },
    # Imports of external data left unsaved for two days: their files and previews go (SPEC §4.5).
    "purge-abandoned-imports": {
        "task": "cases.tasks.purge_abandoned_imports",
        "schedule": crontab(hour=3, minute=45),
    },
    "retention-sweep": {
        "task": "retention.tasks.retention_sweep",
        "schedule": crontab(hour=2, minute=15),
    },
}
