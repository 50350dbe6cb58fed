"""The page-cache counters kept in each process, told of every change by PostgreSQL.

Every cached hit needs the version counters (``core.ContentVersion``) of its page. Asking
the primary for them is a round trip per hit, which is most of what a cached page costs
on PostgreSQL. Instead, a trigger on the counters' table (migration 0007) sends
``NOTIFY minefree_versions, 'key=version'`` for every changed row; PostgreSQL delivers
notices only when the transaction commits, in commit order. Each process keeps one
connection that listens, and before each use of its copy looks (without waiting) for
notices that have arrived.

Exactness:

* A change made by this process is applied to its copy as soon as it commits
  (``note_local_change``, from ``audit.bump_versions``): whoever wrote reads it back.
* A change made by another process or server reaches this one when PostgreSQL delivers
  the notice: the moment of the commit plus a socket hop (measured by
  ``core/tests/test_counter_notices.py``; well under a millisecond on one machine).
* Inside a transaction (a service, or a test's ``TestCase``) the counters are read on the
  transaction's own connection, which sees its uncommitted changes.
* When the listening connection fails (primary restarted, network cut), the counters are
  read from the database again, as before, and listening is tried again a few seconds
  later, starting from a fresh read of the whole table.

SQLite has no notices and needs none: reading its counters is a read of a local file.
``MINEFREE_COUNTER_NOTICES=0`` turns listening off (every hit reads the counters).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections.abc import Iterable
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import pq

log = logging.getLogger(__name__)

CHANNEL = "minefree_versions"
RELOAD_ALL = "*"  # sent when rows are deleted or the table truncated
RETRY_AFTER_S = 5.0
APPLICATION_NAME = "minefree counter notices"  # as pg_stat_activity shows the listeners


class CounterListener:
    """One process's copy of the counters and the connection that keeps it current."""

    def __init__(self, alias: str = DEFAULT_DB_ALIAS) -> None:
        self.alias = alias
        self._lock = threading.Lock()
        self._connection: Any = None
        self._target: tuple[Any, ...] | None = None  # (pid, database settings) listened to
        self._counters: dict[str, int] = {}
        self._pending: list[str] = []  # notices received, in commit order, not yet applied
        self._reload = True
        self._failed_at = 0.0

    # ---- reading -------------------------------------------------------------------

    def versions(self, keys: Iterable[str]) -> dict[str, int] | None:
        """The counters of ``keys`` as committed, or None when listening is not possible
        now (the caller reads them from the database)."""
        with self._lock:
            if not self._listening():
                return None
            try:
                self._drain()
                for _ in range(3):  # a deletion heard during the read asks for another
                    if self._reload:
                        self._load_all()
                    self._apply_pending()
                if self._reload:
                    return None
            except Exception as error:  # any failure: read from the database
                self._fail(error)
                return None
            counters = self._counters
            return {key: counters.get(key, 0) for key in keys}

    def note_local_change(self) -> None:
        """This process committed a change to the counters: read them again before the
        next use rather than wait for the notice."""
        self._reload = True

    def close(self) -> None:
        """Stop listening (tests close it before their database is dropped)."""
        with self._lock:
            self._disconnect()

    # ---- the connection ------------------------------------------------------------

    def _listening(self) -> bool:
        target = self._current_target()
        if self._connection is not None and self._target == target:
            return True
        if self._target is not None and self._target[0] != target[0]:
            # inherited through fork: the socket is the parent's; keep it open for the
            # parent (closing it here would end the parent's session) and start afresh
            _INHERITED.append(self._connection)
            self._connection = None
        self._disconnect()
        if time.monotonic() - self._failed_at < RETRY_AFTER_S:
            return False
        try:
            wrapper = connections[self.alias]
            params = {**wrapper.get_connection_params(), "application_name": APPLICATION_NAME}
            raw = psycopg.connect(**params, autocommit=True)
            # notices read while a query of ours runs are handed here, not dropped
            raw.add_notify_handler(lambda notice: self._pending.append(notice.payload))
            raw.execute(f"LISTEN {CHANNEL}")
        except Exception as error:
            self._fail(error)
            return False
        self._connection = raw
        self._target = target
        self._reload = True  # listening starts now: what came before is read, not heard
        return True

    def _current_target(self) -> tuple[Any, ...]:
        params = connections[self.alias].settings_dict
        return (os.getpid(), params["NAME"], params.get("HOST"), params.get("PORT"))

    def _drain(self) -> None:
        """Collect the notices already received, without waiting for any."""
        pgconn = self._connection.pgconn
        while select.select([pgconn.socket], [], [], 0)[0]:
            pgconn.consume_input()  # raises once the server has closed the connection
            while (notice := pgconn.notifies()) is not None:
                self._pending.append(notice.extra.decode())
        if pgconn.status != pq.ConnStatus.OK:  # e.g. "terminating connection" was read
            raise ConnectionError("the listening connection was closed by the server")
        if RELOAD_ALL in self._pending:
            self._pending.clear()
            self._reload = True

    def _load_all(self) -> None:
        """Read the whole table; notices received meanwhile are applied after it."""
        from minefree.core.models import ContentVersion

        self._reload = False
        rows = self._connection.execute(
            f"SELECT key, version FROM {ContentVersion._meta.db_table}"
        ).fetchall()
        self._counters = dict(rows)

    def _apply_pending(self) -> None:
        """Counters only grow (a deletion asks for a reload instead), so a notice of a
        commit the last read already held changes nothing."""
        pending, self._pending = self._pending, []
        for payload in pending:
            if payload == RELOAD_ALL:
                self._reload = True  # read again on the next use
                continue
            key, _, version = payload.rpartition("=")
            if key:
                self._counters[key] = max(self._counters.get(key, 0), int(version))

    def _fail(self, error: Exception) -> None:
        log.warning("counter notices unavailable, counters read from the database: %s", error)
        self._failed_at = time.monotonic()
        self._disconnect()

    def _disconnect(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to close
                self._connection.close()
        self._connection = None
        self._target = None
        self._pending = []
        self._reload = True


_INHERITED: list[Any] = []
_LISTENER = CounterListener()


def listener_enabled(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether this database tells its counters' changes (PostgreSQL, not turned off)."""
    return connections[alias].vendor == "postgresql" and getattr(
        settings, "MINEFREE_COUNTER_NOTICES", True
    )


def heard_versions(keys: Iterable[str]) -> dict[str, int] | None:
    """The primary's committed counters from this process's copy, or None when the caller
    must read them from the database (SQLite, inside a transaction, listening down)."""
    if connections[DEFAULT_DB_ALIAS].in_atomic_block or not listener_enabled():
        return None
    return _LISTENER.versions(keys)


def note_local_change() -> None:
    _LISTENER.note_local_change()


def stop_listening() -> None:
    _LISTENER.close()
