"""WSGI entry point (gunicorn fss.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fss.settings")
application = get_wsgi_application()
