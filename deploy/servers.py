"""Start and stop the real servers of a production-like minefree on this machine.

Used by the rehearsal (``bin/production-rehearsal``) and by the tests that need a real
PostgreSQL standby. Every server listens on loopback only and lives in a directory the
caller owns, so stopping them and removing the directory leaves nothing behind.
PostgreSQL runs as the ``postgres`` user when started by root (it refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg


def postgres_bin() -> Path:
    """Debian's PostgreSQL binaries (the newest installed version)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL's server binaries are missing: apt-get install postgresql")
    return found[-1]


def _as_postgres(command: list[str]) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-2000:]}")


def _own(path: Path) -> None:
    """Make ``path`` PostgreSQL's (and its parent passable to it)."""
    path.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(path.parent.stat().st_mode | 0o711)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@dataclass
class PostgresServer:
    """One cluster: ``data`` directory, loopback ``port``, socket directory beside it."""

    data: Path
    port: int
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.data.with_suffix(".log")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True
        )

    def create(self, *, fast_unsafe: bool = False) -> None:
        """``initdb`` the cluster; ``fast_unsafe`` turns off fsync (throwaway test clusters)."""
        _own(self.data.parent)
        _as_postgres(
            [
                str(postgres_bin() / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        if fast_unsafe:
            with (self.data / "postgresql.auto.conf").open("a") as conf:
                conf.write("fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n")
        if os.geteuid() == 0:
            shutil.chown(self.data / "postgresql.auto.conf", "postgres", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data.parent}"
        _as_postgres(
            [
                str(postgres_bin() / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            _as_postgres(
                [str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]
            )

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class PostgresPair:
    """A primary and a streaming standby made from it with ``pg_basebackup -R``."""

    directory: Path
    primary_port: int
    standby_port: int

    def __post_init__(self) -> None:
        self.primary = PostgresServer(self.directory / "primary", self.primary_port)
        self.standby = PostgresServer(self.directory / "standby", self.standby_port)

    def start(self, *, fast_unsafe: bool = False) -> None:
        """Create and start both; ``fast_unsafe`` turns off fsync (throwaway test clusters)."""
        bin_ = postgres_bin()
        self.primary.create(fast_unsafe=fast_unsafe)  # owns the pair's directory too
        self.primary.start()
        _as_postgres(
            [
                str(bin_ / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.primary_port),
                "-U",
                "postgres",
                "-D",
                str(self.standby.data),
                "-R",
                "-X",
                "stream",
            ]
        )
        self.standby.start()
        self.wait_replayed()

    def stop(self) -> None:
        for server in (self.standby, self.primary):
            with contextlib.suppress(RuntimeError):
                server.stop()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def wait_replayed(self, timeout: float = 30.0) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        with self.primary.connect() as primary:
            target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
        deadline = time.monotonic() + timeout
        with self.standby.connect() as standby:
            while time.monotonic() < deadline:
                row = standby.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target[0] if target else None]
                ).fetchone()
                if row and row[0]:
                    return
                time.sleep(0.05)
        raise TimeoutError(f"the standby did not catch up within {timeout:.0f} s")

    def pause_replay(self) -> None:
        with self.standby.connect() as standby:
            standby.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.standby.connect() as standby:
            standby.execute("SELECT pg_wal_replay_resume()")
