"""Work every web process would otherwise do on its first requests, done at start-up.

Django imports the URL configuration (every app's views and API routers), loads the
translation catalogues and compiles templates lazily, on the first request that needs
them, while that request and the ones queued behind it wait.
An app server starts a process when it starts and again each time it renews one (after
``max_requests``), so ``minefree.wsgi`` does this work before the process takes requests;
with gunicorn's ``preload_app`` it is done once, in the master, and every worker forked
from it starts warm. Nothing here opens a database or cache connection.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

log = logging.getLogger(__name__)


def warm_up() -> float:
    """Import the URLs, load every language's catalogue, compile minefree's templates;
    returns the seconds it took."""
    began = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports every app's urls, views and API routers
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language loads its catalogues
            pass
    for name in _minefree_templates():
        try:
            engines["django"].get_template(name)  # compiled once, kept by the cached loader
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment meant to be included
            continue
    seconds = time.perf_counter() - began
    log.info("warmed up in %.2f s", seconds)
    return seconds


def _minefree_templates() -> list[str]:
    names = []
    for config in apps.get_app_configs():
        if not config.name.startswith("minefree."):
            continue
        folder = Path(config.path) / "templates"
        names += [
            path.relative_to(folder).as_posix()
            for path in sorted(folder.rglob("*"))
            if path.suffix in {".html", ".txt", ".xml"}
        ]
    return names
