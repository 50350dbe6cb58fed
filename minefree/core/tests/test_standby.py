"""Public pages are read from a real PostgreSQL streaming standby only when it holds exactly
the version of the data they show; otherwise, and for everything else, from the primary."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from deploy.servers import PostgresPair
from minefree.core.standby import STANDBY, StandbyRouter, reading_from_standby
from minefree.core.tests.probes import run_probe


def test_the_router_sends_only_reads_inside_the_block_to_the_standby():
    router = StandbyRouter()
    assert router.db_for_read(object) is None
    with reading_from_standby():
        assert router.db_for_read(object) == STANDBY
        assert router.db_for_write(object) is None  # writes: the primary, always
    assert router.db_for_read(object) is None
    assert router.allow_migrate(STANDBY, "core") is False
    assert router.allow_migrate("default", "core") is True


@pytest.fixture
def pair():
    directory = Path(tempfile.mkdtemp(prefix="minefree-standby-"))
    ports = 20000 + os.getpid() % 20000, 20000 + (os.getpid() + 1) % 20000
    servers = PostgresPair(directory / "pg", *ports)
    try:
        servers.start(fast_unsafe=True)
        yield servers
    finally:  # also when a server failed to start
        servers.remove()
        shutil.rmtree(directory, ignore_errors=True)


def test_public_pages_come_from_the_standby_when_it_has_caught_up(pair):
    seen = run_probe(
        [
            "-m",
            "minefree.core.tests.standby_probe",
            str(pair.directory),
            str(pair.primary_port),
            str(pair.standby_port),
        ],
        {
            "DATABASE_URL": pair.primary.url,
            "MINEFREE_STANDBY_URL": pair.standby.url,
            "MINEFREE_DEBUG": "1",
        },
    )
    assert seen["caught_up"] == [200, "standby:1", "miss"]
    assert seen["caught_up_again"] == [200, "standby:1", "hit"]
    # replay paused: the standby still holds version 1, so the primary renders version 2
    assert seen["standby_lags"] == [200, "default:2", "miss"]
    assert seen["caught_up_after_change"] == [200, "standby:3", "miss"]
    # the standby gone: the page is still served, from the primary
    assert seen["standby_stopped"] == [200, "default:4", "miss"]
