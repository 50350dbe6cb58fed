"""WSGI entry point for gunicorn: ``gunicorn minefree.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")
application = get_wsgi_application()
