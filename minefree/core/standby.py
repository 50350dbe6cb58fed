"""Public pages read from a PostgreSQL streaming standby, when it has caught up.

Production may run a standby that replays the primary's changes a moment later
(``MINEFREE_STANDBY_URL``; docs/deploy.md). The page cache makes this exact instead of
"stale for a while": a public page is keyed by version counters that every change
bumps in the same transaction, and the standby replays transactions whole and in
order. When the standby's counters for a page equal the primary's, the standby holds
exactly the data that version of the page shows, so it renders the page; when they
differ (the standby lags, or is out of reach), the primary renders it. Nothing else
reads from the standby: signed-in users, forms, the API and every write use the
primary, so whatever someone just wrote is what they read back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from minefree.core.audit import current_versions

log = logging.getLogger(__name__)

STANDBY = "standby"
_reading_from_standby: ContextVar[bool] = ContextVar("reading_from_standby", default=False)


def standby_configured() -> bool:
    """Whether a standby is configured and public pages may be read from it."""
    return STANDBY in settings.DATABASES and getattr(settings, "MINEFREE_READ_FROM_STANDBY", False)


@contextmanager
def reading_from_standby() -> Iterator[None]:
    """Send the ORM's reads in this block to the standby (writes still go to the primary)."""
    token = _reading_from_standby.set(True)
    try:
        yield
    finally:
        _reading_from_standby.reset(token)


def standby_caught_up(keys: list[str], versions: dict[str, int]) -> bool:
    """Whether the standby holds exactly ``versions`` (read from the primary) of ``keys``.

    A standby out of reach counts as not caught up: the primary serves, the page works.
    """
    try:
        return current_versions(keys, using=STANDBY) == versions
    except DatabaseError as error:
        log.warning("standby out of reach, the primary serves: %s", error)
        return False


class StandbyRouter:
    """Reads inside ``reading_from_standby`` go to the standby; everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return STANDBY if _reading_from_standby.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the same database, replayed: objects from both may be related

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != STANDBY  # a standby is read-only; it receives the primary's schema
