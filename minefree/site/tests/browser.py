"""A real minefree server for the browser tests, on a database of its own.

``live_server`` starts ``minefree runserver`` as a subprocess, the way a person would
run the site, against a throwaway database: a temporary SQLite file, or a fresh
``minefree_browser_<random>`` database on the PostgreSQL server that ``DATABASE_URL``
points at (dropped afterwards). The database gets the migrations, the reference data
and the demo accounts before the server starts.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[3]
#: The ``minefree`` command (``minefree.cli``), with the interpreter running the tests.
MINEFREE = [sys.executable, "-m", "minefree.cli"]
SETUP_TIMEOUT = 300.0
START_TIMEOUT = 60.0

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DEMO_PASSWORD = "minefree-demo"


class ServerError(RuntimeError):
    """The browser-test server could not be prepared or started."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped on exit."""
    import psycopg
    from psycopg import sql

    name = f"minefree_browser_{secrets.token_hex(4)}"
    parts = urlsplit(server_url)
    admin_url = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def throwaway_database(workdir: Path) -> Iterator[str]:
    """The ``DATABASE_URL`` of a database used by the browser tests alone."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured and is_postgres(configured):
        with postgres_database(configured) as url:
            yield url
    else:
        yield f"sqlite:///{workdir / 'browser.sqlite3'}"


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        MINEFREE_DEBUG="1",
        MINEFREE_DATA_DIR=str(workdir / "data"),
        DJANGO_SETTINGS_MODULE="minefree.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_command(args: list[str], env: Mapping[str, str], log: Path) -> None:
    """Run one ``minefree`` command; fail with its output if it fails."""
    with log.open("ab") as out:
        out.write(f"$ minefree {' '.join(args)}\n".encode())
        out.flush()
        result = subprocess.run(
            [*MINEFREE, *args],
            cwd=REPO_ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
    if result.returncode != 0:
        raise ServerError(f"minefree {' '.join(args)} failed:\n{tail(log)}")


def tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"the server exited with {process.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise ServerError(f"the server did not answer {url} in {START_TIMEOUT:.0f} s:\n{tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass(frozen=True)
class LiveServer:
    """A running server and its database, which tests may read to check what a request did."""

    url: str
    database_url: str

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        """Rows of a read-only SQL query (``%s`` placeholders) on the server's database."""
        if is_postgres(self.database_url):
            import psycopg

            parts = urlsplit(self.database_url)
            with psycopg.connect(urlunsplit(parts._replace(scheme="postgresql"))) as conn:
                return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]
        path = self.database_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return list(conn.execute(sql.replace("%s", "?"), params).fetchall())


@contextmanager
def live_server() -> Iterator[LiveServer]:
    """Prepare a database, run ``minefree runserver`` on it; yield the server."""
    with tempfile.TemporaryDirectory(prefix="minefree-browser-") as tmp:
        workdir = Path(tmp)
        log = workdir / "server.log"
        with throwaway_database(workdir) as database_url:
            env = server_env(database_url, workdir)
            run_command(["migrate", "--noinput", "-v0"], env, log)
            run_command(["load-reference", "--quiet"], env, log)
            run_command(["demo-accounts"], env, log)
            port = free_port()
            with log.open("ab") as out:
                process = subprocess.Popen(
                    [*MINEFREE, "runserver", f"127.0.0.1:{port}", "--noreload"],
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            base_url = f"http://127.0.0.1:{port}"
            try:
                wait_until_up(f"{base_url}/", process, log)
                yield LiveServer(base_url, database_url)
            finally:
                stop(process)
