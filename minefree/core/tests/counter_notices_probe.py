"""Run in a subprocess by test_counter_notices.py against a real PostgreSQL server.

Settings come from the environment (DATABASE_URL). Another session (a plain psycopg
connection, as another app server would be) changes the counters; this process must
hear each change, serve cached hits without a query, and fall back to reading the
database when its listening connection is cut. Prints one JSON object.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import django

django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from minefree.core import counter_notices  # noqa: E402
from minefree.core.audit import (  # noqa: E402
    SHARED_VERSION_KEY,
    SYSTEM,
    bump_versions,
    current_versions,
    service,
)
from minefree.core.models import ContentVersion  # noqa: E402

TABLE = ContentVersion._meta.db_table


@service
def change_shared_data(*, actor: object) -> None:
    bump_versions([""])


def stored(other: Any) -> int:
    row = other.execute(f"SELECT version FROM {TABLE} WHERE key = %s", [SHARED_VERSION_KEY])
    found = row.fetchone()
    return int(found[0]) if found else 0


def heard_within(expected: int, limit_s: float = 2.0) -> float | None:
    """Seconds until this process's copy shows ``expected``, or None if it never did."""
    began = time.perf_counter()
    while time.perf_counter() - began < limit_s:
        heard = counter_notices.heard_versions([SHARED_VERSION_KEY])
        if heard is not None and heard[SHARED_VERSION_KEY] == expected:
            return time.perf_counter() - began
    return None


def main() -> None:
    call_command("migrate", "core", verbosity=0)
    change_shared_data(actor=SYSTEM)
    seen: dict[str, Any] = {}
    dsn = connection.get_connection_params()
    other = psycopg.connect(
        host=dsn.get("host"), port=dsn.get("port"), user=dsn.get("user"),
        dbname=dsn["dbname"], autocommit=True,
    )  # fmt: skip

    # another server's change: heard, never read
    seen["listening"] = counter_notices.heard_versions([SHARED_VERSION_KEY]) is not None
    delays = []
    for _ in range(200):
        other.execute(
            f"UPDATE {TABLE} SET version = version + 1 WHERE key = %s", [SHARED_VERSION_KEY]
        )
        delay = heard_within(stored(other))
        delays.append(delay if delay is not None else float("inf"))
    delays.sort()
    seen["delay_ms"] = {
        "changes": len(delays),
        "median": round(statistics.median(delays) * 1000, 3),
        "p99": round(delays[int(len(delays) * 0.99) - 1] * 1000, 3),
        "max": round(delays[-1] * 1000, 3),
    }

    # this process's own change: the very next read has it
    change_shared_data(actor=SYSTEM)
    seen["own_change_at_once"] = current_versions([SHARED_VERSION_KEY])[
        SHARED_VERSION_KEY
    ] == stored(other)

    # inside a transaction: the transaction's own, uncommitted counters
    before = stored(other)
    with transaction.atomic():
        change_shared_data(actor=SYSTEM)
        inside = current_versions([SHARED_VERSION_KEY])[SHARED_VERSION_KEY]
        transaction.set_rollback(True)
    seen["inside_transaction"] = [before, inside]
    seen["after_rollback"] = current_versions([SHARED_VERSION_KEY])[SHARED_VERSION_KEY]

    # rows deleted by another session: the whole table is read again
    other.execute(f"DELETE FROM {TABLE} WHERE key = %s", [SHARED_VERSION_KEY])
    seen["after_delete"] = heard_within(0) is not None

    # cached hits make no query; another server's change makes the next one a miss
    change_shared_data(actor=SYSTEM)
    client = Client()
    with override_settings(ROOT_URLCONF="minefree.core.tests.urls_standby"):
        first = client.get("/which-database/")["X-Page-Cache"]
        with CaptureQueriesContext(connection) as hit_queries:
            second = client.get("/which-database/")["X-Page-Cache"]
        other.execute(
            f"UPDATE {TABLE} SET version = version + 1 WHERE key = %s", [SHARED_VERSION_KEY]
        )
        heard_within(stored(other))
        third = client.get("/which-database/")
        seen["pages"] = [
            first,
            second,
            len(hit_queries),
            third["X-Page-Cache"],
            third.content.decode(),
        ]

    # the listening connection cut (as when the primary restarts): counters read again
    # from the database at once, listening again after the pause
    counter_notices.RETRY_AFTER_S = 0.5
    other.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
        [counter_notices.APPLICATION_NAME],
    )
    time.sleep(0.2)
    other.execute(f"UPDATE {TABLE} SET version = version + 1 WHERE key = %s", [SHARED_VERSION_KEY])
    expected = stored(other)
    seen["cut_heard"] = counter_notices.heard_versions([SHARED_VERSION_KEY])
    seen["cut_current"] = current_versions([SHARED_VERSION_KEY])[SHARED_VERSION_KEY] == expected
    time.sleep(0.6)
    other.execute(f"UPDATE {TABLE} SET version = version + 1 WHERE key = %s", [SHARED_VERSION_KEY])
    seen["listening_again"] = heard_within(stored(other)) is not None
    counter_notices.stop_listening()
    other.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
