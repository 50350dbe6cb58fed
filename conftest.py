"""Test set-up shared by every app: the real reference data and a named cast of users."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# One set of browser fixtures (a real server and one Chromium) for every app's browser tests.
pytest_plugins = ["minefree.site.tests.browser_fixtures"]


def pytest_configure(config: Any) -> None:
    # Hashing is not under test here; the slow default hasher would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Load the real reference data once per test database; tests roll back on top of it."""
    from minefree.core.audit import SYSTEM
    from minefree.core.counter_notices import stop_listening
    from minefree.registry.services import reference_load

    with django_db_blocker.unblock():
        reference_load(actor=SYSTEM, directory=settings.REFERENCE_DATA_DIR)
    yield
    stop_listening()  # its session would keep the test database from being dropped


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts and ends in the default language: a page served in Spanish leaves
    Spanish active in its thread, and the next test of the worker would speak it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_page_cache() -> None:
    from django.core.cache import cache

    from minefree.accounts.readers import forget_readers

    cache.clear()
    forget_readers()  # a flushed database starts its counters again from 0
