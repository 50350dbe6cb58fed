"""WSGI entry point for gunicorn: ``gunicorn minefree.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")
application = get_wsgi_application()

# the URLs, translations and templates loaded before the first request, not during it
from minefree.core.warmup import warm_up  # noqa: E402

warm_up()
