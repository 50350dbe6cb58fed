"""Benchmark "country_page": the public country page against a static file of the same size.

One gunicorn server (production-like settings) serves both the country page
(``/states/PER/`` by default, a cached hit for anonymous visitors) and a copy of
its rendered HTML as a static file (WhiteNoise, from STATIC_ROOT). wrk loads each
in turn from the loopback. The static file is the baseline: the ratios say how
much the Django request path (middleware, version query, cache lookup) costs on
top of the same server, the same socket handling and the same response size.

The database comes from DATABASE_URL (SQLite or PostgreSQL); this script
migrates it and loads the reference data unless ``--no-prepare`` is given.
Usage (``bench/run`` does all of this)::

    DATABASE_URL=sqlite:////tmp/x/bench.sqlite3 python bench/country_page.py \\
        --name country_page_sqlite --results bench/results.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Json, add_server_arguments, bench_parser, machine_info, record_run

THROUGHPUT_TARGET = 0.8  # page requests/s >= 80 % of the static file's
P99_TARGET = 1.5  # page p99 <= 1.5 x the static file's p99

# Run in a subprocess with the benchmark's environment: settings, database and
# queries per cached hit, seen from Django itself.
_INSPECT = r"""
import json, sqlite3, sys
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

path = sys.argv[1]
client = Client(HTTP_HOST="127.0.0.1")
first = client.get(path)
with CaptureQueriesContext(connection) as ctx:
    second = client.get(path)
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        db_version = cursor.fetchone()[0]
else:
    db_version = sqlite3.sqlite_version
print(json.dumps({
    "static_root": str(settings.STATIC_ROOT),
    "static_url": settings.STATIC_URL,
    "debug": settings.DEBUG,
    "vendor": connection.vendor,
    "db_version": db_version,
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "django": django.get_version(),
    "first_status": first.status_code,
    "first_cache": first.headers.get("X-Page-Cache"),
    "second_status": second.status_code,
    "second_cache": second.headers.get("X-Page-Cache"),
    "queries_per_cached_hit": len(ctx.captured_queries),
    "cached_hit_sql": [q["sql"] for q in ctx.captured_queries],
}))
"""

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m|h)$")


def duration_ms(text: str) -> float:
    """wrk's formatted duration (``635.91us``, ``2.99ms``, ``1.02s``) in milliseconds."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> Json:
    """Figures from ``wrk --latency`` output: requests/s, p50/p75/p90/p99, errors."""
    result: Json = {}
    if m := re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M):
        result["requests_per_s"] = float(m.group(1))
    for pct in ("50", "75", "90", "99"):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M):
            result[f"p{pct}_ms"] = round(duration_ms(m.group(1)), 3)
    if m := re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", output, re.M):
        result["mean_ms"] = round(duration_ms(m.group(1)), 3)
        result["max_ms"] = round(duration_ms(m.group(3)), 3)
    if m := re.search(r"^\s+(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", output, re.M):
        result["requests"] = int(m.group(1))
        result["elapsed_s"] = round(duration_ms(m.group(2)) / 1000, 3)
        result["read"] = m.group(3)
    errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    if m := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors = dict(zip(errors, map(int, m.groups()), strict=True))
    result["socket_errors"] = errors
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx_3xx"] = int(m.group(1)) if m else 0
    missing = {"requests_per_s", "p50_ms", "p99_ms"} - result.keys()
    if missing:
        raise ValueError(f"wrk output lacks {sorted(missing)}:\n{output}")
    return result


@dataclass(frozen=True)
class Load:
    connections: int = 32
    threads: int = 2
    duration_s: int = 8
    warmup_s: int = 2
    timeout_s: int = 5

    def describe(self, rounds: int) -> Json:
        """The load as results.json records it."""
        return {
            "tool": "wrk",
            "connections": self.connections,
            "threads": self.threads,
            "duration_s": self.duration_s,
            "warmup_s": self.warmup_s,
            "rounds": rounds,
        }

    def command(self, url: str, duration_s: int) -> list[str]:
        return [
            "wrk",
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{duration_s}s",
            f"--timeout={self.timeout_s}s",
            "--latency",
            url,
        ]


_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state is index 0)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def process_tree_cpu_s(root_pid: int) -> float:
    """User + system CPU seconds of a process and its children (gunicorn master + workers)."""
    pids = {root_pid}
    for entry in Path("/proc").iterdir():
        fields = _proc_stat(int(entry.name)) if entry.name.isdigit() else None
        if fields and int(fields[1]) == root_pid:
            pids.add(int(entry.name))
    total = 0
    for pid in pids:
        if fields := _proc_stat(pid):
            total += int(fields[11]) + int(fields[12])
    return total / _CLK_TCK


def machine_busy_cpu_s() -> float:
    """CPU seconds spent busy by the whole machine since boot (all CPUs, /proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    guest = sum(values[8:10]) if len(values) > 9 else 0  # already counted in user/nice
    return (sum(values) - idle - guest) / _CLK_TCK


def run_wrk(load: Load, url: str, duration_s: int, server_pid: int | None = None) -> Json:
    """One wrk run; with server_pid, also where the CPU went during it."""
    cmd = load.command(url, duration_s)
    server_before = process_tree_cpu_s(server_pid) if server_pid else 0.0
    busy_before = machine_busy_cpu_s()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic()
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=duration_s + 60, check=True
    ).stdout
    wall = time.monotonic() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = parse_wrk(out)
    figures["command"] = " ".join(cmd)
    if server_pid:
        server_cpu = process_tree_cpu_s(server_pid) - server_before
        wrk_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
        busy = machine_busy_cpu_s() - busy_before
        requests = max(figures.get("requests", 0), 1)
        figures["cpu"] = {
            "server_ms_per_request": round(server_cpu * 1000 / requests, 3),
            "server_cpus": round(server_cpu / wall, 2),
            "wrk_cpus": round(wrk_cpu / wall, 2),
            # everything else: the database server, and any other load on the machine
            "other_cpus": round(max(busy - server_cpu - wrk_cpu, 0.0) / wall, 2),
            "machine_cpus": os.cpu_count(),
        }
    return figures


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bench_env(database_url: str) -> dict[str, str]:
    """Production-like settings: no DEBUG, random key, warnings only."""
    env = dict(os.environ)
    env.update(
        MINEFREE_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        MINEFREE_SECURE_COOKIES="0",
        MINEFREE_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
    )
    # A variant settings module (e.g. to try a change before making it) may be given.
    env.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")
    return env


def minefree(env: dict[str, str], *args: str) -> None:
    exe = shutil.which("minefree", path=env.get("PATH"))
    cmd = [exe] if exe else [sys.executable, "-m", "minefree.cli"]
    subprocess.run([*cmd, *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def prepare(env: dict[str, str], *, history: bool = False) -> None:
    """A fresh database with the reference data (and the synthetic Article 7 history)."""
    minefree(env, "migrate", "--noinput", "-v0")
    minefree(env, "load-reference", "--quiet")
    if history:
        minefree(env, "load-demo-history")


def python_json(env: dict[str, str], script: str, *args: str) -> Json:
    """Run ``script`` in a Python of the app's environment; its last line of output, as JSON."""
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data: Json = json.loads(out.strip().splitlines()[-1])
    return data


def inspect(env: dict[str, str], path: str) -> Json:
    return python_json(env, _INSPECT, path)


@dataclass(frozen=True)
class Server:
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 4
    app: str = "minefree.wsgi:application"

    def args(self, port: int, log: Path) -> list[str]:
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            f"--bind=127.0.0.1:{port}",
            f"--workers={self.workers}",
            f"--worker-class={self.worker_class}",
            "--backlog=2048",
            "--worker-tmp-dir=/dev/shm" if Path("/dev/shm").is_dir() else "--worker-tmp-dir=/tmp",
            "--log-level=warning",
            f"--error-logfile={log}",
        ]
        if self.worker_class == "gthread":
            args.append(f"--threads={self.threads}")
        return args

    def describe(self) -> Json:
        info: Json = {"app": self.app, "workers": self.workers, "worker_class": self.worker_class}
        if self.worker_class == "gthread":
            info["threads"] = self.threads
        return info


def http_get(url: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


@contextmanager
def gunicorn(
    server: Server, env: dict[str, str], log: Path, ready_path: str
) -> Iterator[tuple[str, int]]:
    """Start gunicorn on a free loopback port, wait until ready_path answers; stop it.

    Yields the base URL and the master's pid.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(server.args(port, log), env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()}")
            try:
                http_get(base + ready_path, timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 s") from None
                time.sleep(0.2)
        yield base, proc.pid
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class StaticCopy(NamedTuple):
    """A running server that also serves a page's rendered HTML as a static file."""

    base: str
    pid: int
    html: bytes
    static_path: str


@contextmanager
def static_copy(
    server: Server, env: dict[str, str], log: Path, page_path: str, info: Json, name: str
) -> Iterator[StaticCopy]:
    """Serve ``page_path`` and, as the baseline, the same HTML as ``bench/<name>.html`` from
    STATIC_ROOT (WhiteNoise, same server, same size): the page is rendered through the real
    server, written, and the server restarted, since WhiteNoise indexes STATIC_ROOT when it
    starts. ``info`` is what ``inspect`` saw. The file is removed afterwards."""
    static_root = Path(info["static_root"])
    if not (static_root / "staticfiles.json").exists():  # bench/run collects once for all
        minefree(env, "collectstatic", "--noinput", "-v0")
    static_rel = f"bench/{name}.html"
    static_file = static_root / static_rel
    try:
        with gunicorn(server, env, log, page_path) as (base, _pid):
            status, _, html = http_get(base + page_path)
            if status != 200:
                raise RuntimeError(f"{page_path} answered {status}")
        static_file.parent.mkdir(parents=True, exist_ok=True)
        static_file.write_bytes(html)
        with gunicorn(server, env, log, page_path) as (base, pid):
            yield StaticCopy(
                base, pid, html, "/" + info["static_url"].strip("/") + "/" + static_rel
            )
    finally:
        static_file.unlink(missing_ok=True)
        if static_file.parent.exists() and not any(static_file.parent.iterdir()):
            static_file.parent.rmdir()


def _cpu_ratio(measured: Json, baseline: Json) -> float | None:
    try:
        page = measured["cpu"]["server_ms_per_request"]
        static = baseline["cpu"]["server_ms_per_request"]
    except KeyError:
        return None
    return round(page / static, 3) if static else None


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _combine(rounds: list[Json]) -> Json:
    """Median of each figure over the rounds (one round: that round's figures)."""
    combined: Json = {
        key: _median([r[key] for r in rounds])
        for key in ("requests_per_s", "p50_ms", "p75_ms", "p90_ms", "p99_ms", "mean_ms")
        if all(key in r for r in rounds)
    }
    combined["requests"] = sum(r.get("requests", 0) for r in rounds)
    combined["non_2xx_3xx"] = sum(r["non_2xx_3xx"] for r in rounds)
    combined["socket_errors"] = {
        k: sum(r["socket_errors"][k] for r in rounds) for k in rounds[0]["socket_errors"]
    }
    if all("cpu" in r for r in rounds):
        combined["cpu"] = {
            key: _median([r["cpu"][key] for r in rounds]) for key in rounds[0]["cpu"]
        }
    combined["rounds"] = rounds
    return combined


def run(
    *,
    database_url: str,
    page_path: str = "/states/PER/",
    server: Server | None = None,
    load: Load | None = None,
    rounds: int = 1,
    do_prepare: bool = True,
) -> Json:
    server = server or Server()
    load = load or Load()
    env = bench_env(database_url)
    started = time.monotonic()
    if do_prepare:
        prepare(env)
    info = inspect(env, page_path)
    if info["first_status"] != 200:
        raise RuntimeError(f"{page_path} answered {info['first_status']} through Django")

    slug = page_path.strip("/").replace("/", "-") or "index"
    with tempfile.TemporaryDirectory(prefix="minefree-bench-") as tmp:
        log = Path(tmp) / "gunicorn.log"
        with static_copy(server, env, log, page_path, info, slug) as copy:
            page_url, static_url = copy.base + page_path, copy.base + copy.static_path
            s_status, s_headers, s_body = http_get(static_url)
            if s_status != 200 or s_body != copy.html:
                raise RuntimeError(f"static copy {copy.static_path} answered {s_status}")
            for url in (page_url, static_url):
                run_wrk(load, url, load.warmup_s)
            p_status, p_headers, p_body = http_get(page_url)
            page_rounds: list[Json] = []
            static_rounds: list[Json] = []
            for i in range(rounds):
                # Alternate the order so neither side always runs on a warmer machine.
                order = [(page_url, page_rounds), (static_url, static_rounds)]
                for url, sink in order if i % 2 == 0 else reversed(order):
                    sink.append(run_wrk(load, url, load.duration_s, copy.pid))
        server_log = log.read_text(errors="replace").strip() if log.exists() else ""

    measured = _combine(page_rounds)
    baseline = _combine(static_rounds)
    throughput_ratio = round(measured["requests_per_s"] / baseline["requests_per_s"], 3)
    p99_ratio = round(measured["p99_ms"] / baseline["p99_ms"], 3)
    clean = all(
        f["non_2xx_3xx"] == 0 and not any(f["socket_errors"].values()) for f in (measured, baseline)
    )
    targets: Json = {
        "throughput_ratio": {
            "min": THROUGHPUT_TARGET,
            "value": throughput_ratio,
            "pass": throughput_ratio >= THROUGHPUT_TARGET,
        },
        "p99_ratio": {"max": P99_TARGET, "value": p99_ratio, "pass": p99_ratio <= P99_TARGET},
    }
    return {
        "description": (
            f"GET {page_path} (cached, anonymous) vs the same HTML as a static file, "
            "same gunicorn server, wrk on the loopback"
        ),
        "database": info["vendor"],
        "database_version": info["db_version"],
        "measured": {
            "url": page_path,
            "bytes": len(p_body),
            "status": p_status,
            "page_cache": p_headers.get("X-Page-Cache"),
            **measured,
        },
        "baseline": {
            "url": copy.static_path,
            "bytes": len(s_body),
            "status": s_status,
            "server_header": s_headers.get("Server"),
            **baseline,
        },
        "ratios": {"throughput_ratio": throughput_ratio, "p99_ratio": p99_ratio},
        "targets": targets,
        "pass": clean and all(t["pass"] for t in targets.values()),
        "errors_free": clean,
        "server": {
            "gunicorn": server.describe(),
            "django": info["django"],
            "debug": info["debug"],
            "conn_max_age": info["conn_max_age"],
        },
        "load": load.describe(rounds),
        "diagnostics": {
            # Server CPU per request (page / static): steadier than requests/s when the
            # machine is shared, since it does not depend on what else gets the CPUs.
            "server_cpu_ratio": _cpu_ratio(measured, baseline),
            "queries_per_cached_hit": info["queries_per_cached_hit"],
            "cached_hit_sql": info["cached_hit_sql"],
            "server_log": server_log[-2000:],
        },
        "machine": machine_info(),
        "seconds": round(time.monotonic() - started, 1),
    }


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of a server benchmark's ``run`` that ``add_server_arguments`` set."""
    return {
        "database_url": args.database_url,
        "load": Load(args.connections, args.wrk_threads, args.duration, args.warmup),
        "rounds": max(1, args.rounds),
        "do_prepare": not args.no_prepare,
    }


def add_gunicorn_arguments(parser: argparse.ArgumentParser) -> None:
    """How the measured gunicorn runs: workers, their class, threads, the WSGI app."""
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--app", default=Server.app, help="WSGI app (to try a variant)")


def server_of(args: argparse.Namespace) -> Server:
    return Server(args.workers, args.worker_class, args.threads, args.app)


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("Country page vs static file, under wrk.")
    parser.add_argument("--path", default="/states/PER/")
    add_gunicorn_arguments(parser)
    add_server_arguments(parser, prepare="migrate/load/collect")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or pass --database-url")
    return record_run(
        args.name,
        args.results,
        lambda: run(
            page_path=args.path,
            server=server_of(args),
            **run_options(args),
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
