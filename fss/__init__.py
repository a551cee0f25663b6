"""Family Support Service: the Django project (settings, URLs, Celery app) and `fss.core`."""

from fss.celery import app as celery_app

__all__ = ["celery_app"]
