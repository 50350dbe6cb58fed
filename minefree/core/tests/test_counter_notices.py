"""The page-cache counters each process keeps, told of changes by PostgreSQL's notices:
tested against a real server started by the test, whatever database the suite uses."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from deploy.servers import PostgresServer
from minefree.core.audit import SHARED_VERSION_KEY
from minefree.core.counter_notices import heard_versions
from minefree.core.tests.probes import run_probe


@pytest.mark.django_db
def test_inside_a_transaction_the_counters_are_read_on_its_connection():
    # a TestCase-style test runs in a transaction: the copy is never used there
    assert connection.in_atomic_block
    assert heard_versions([SHARED_VERSION_KEY]) is None


@pytest.fixture
def server():
    directory = Path(tempfile.mkdtemp(prefix="minefree-notices-"))
    server = PostgresServer(directory / "data", 20000 + (os.getpid() + 7) % 20000)
    try:
        server.create(fast_unsafe=True)
        server.start()
        yield server
    finally:  # also when the server failed to start
        try:
            server.stop("immediate")
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def test_changes_by_another_session_are_heard_and_cached_hits_make_no_query(server):
    seen = run_probe(
        ["-m", "minefree.core.tests.counter_notices_probe"],
        {"DATABASE_URL": server.url, "MINEFREE_DEBUG": "1", "MINEFREE_STANDBY_URL": ""},
    )
    assert seen["listening"] is True
    delays = seen["delay_ms"]
    assert delays["changes"] == 200
    assert delays["max"] < 2000, delays  # every change heard (inf when one never was)
    assert seen["own_change_at_once"] is True
    before, inside = seen["inside_transaction"]
    assert inside == before + 1  # the transaction's own change
    assert seen["after_rollback"] == before  # and gone with it
    assert seen["after_delete"] is True
    first, second, queries_of_hit, third, body = seen["pages"]
    assert [first, second, queries_of_hit, third] == ["miss", "hit", 0, "miss"]
    assert body.startswith("default:")
    assert seen["cut_heard"] is None  # listening lost: the caller reads the database...
    assert seen["cut_current"] is True  # ...and gets the committed value
    assert seen["listening_again"] is True
    print("notice delays (ms):", delays)
