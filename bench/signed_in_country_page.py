"""Benchmark "signed_in_country_page": the country page for a signed-in focal point, under load.

A signed-in reader never gets the page cache: the page is rendered for them, its parts
that every reader sees alike taken from the shared fragments (``core.fragments``). On a
database with the reference data and the synthetic Article 7 history, one gunicorn
server (production-like settings, 2 sync workers) serves ``/states/PER/`` to wrk
(32 connections, closed loop) sending the session cookie of Peru's focal point, made by
signing them in through Django's test client. Target: p99 under 100 ms.

Also recorded, in one process and less noisy than wrk on a shared machine: the render
time of the same page through Django's test client with the shared fragments warm, and
with them bypassed (what every signed-in request cost before), and the queries of a
warm render. Usage (``bench/run`` does all of this)::

    DATABASE_URL=sqlite:////tmp/x/bench.sqlite3 python bench/signed_in_country_page.py \\
        --name signed_in_country_page_sqlite --results bench/results.json
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Json, add_server_arguments, bench_parser, machine_info, record_run
from country_page import (
    Load,
    Server,
    _combine,
    add_gunicorn_arguments,
    bench_env,
    gunicorn,
    minefree,
    prepare,
    python_json,
    run_options,
    run_wrk,
    server_of,
)

P99_TARGET_S = 0.1
PAGE = "/states/PER/"
USERNAME = "bench-focal-point-per"

# Run with the benchmark's environment: signs Peru's focal point in (a session in the
# database, as the sign-in form makes it) and times the page in this process.
_SIGN_IN = r"""
import datetime as dt, json, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from minefree.accounts.models import Membership, Role
from minefree.core.fragments import fragments_bypassed
from minefree.registry.models import Actor

path, username, loops = sys.argv[1], sys.argv[2], int(sys.argv[3])
user, created = get_user_model().objects.get_or_create(username=username)
if created:  # benchmark set-up, like the test factories
    Membership.objects.create(
        user=user, role=Role.STATE_FOCAL_POINT, actor=Actor.objects.get(iso3="PER"),
        starts_on=dt.date.today() - dt.timedelta(days=30),
    )
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)

def timed(n):
    times = []
    for _ in range(n):
        began = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    return {"median_ms": round(statistics.median(times) * 1000, 2),
            "min_ms": round(min(times) * 1000, 2)}

def queries():
    count = []
    def counting(execute, sql, params, many, context):
        count.append(sql)
        return execute(sql, params, many, context)
    with connection.execute_wrapper(counting):
        body = client.get(path).content.decode()
    return len(count), body

first = client.get(path)
queries_warm, body = queries()
with fragments_bypassed():
    queries_bypassed, _ = queries()
    bypassed = timed(max(loops // 3, 5))
warm = timed(loops)
print(json.dumps({
    "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
    "vendor": connection.vendor,
    "first_status": first.status_code,
    "signed_in": username in body,
    "queries_warm": queries_warm,
    "queries_fragments_bypassed": queries_bypassed,
    "in_process_warm": warm,
    "in_process_fragments_bypassed": bypassed,
}))
"""


@dataclass(frozen=True)
class SignedInLoad(Load):
    """wrk's load, sending the reader's session cookie with every request."""

    cookie: str = ""

    def command(self, url: str, duration_s: int) -> list[str]:
        cmd = super().command(url, duration_s)
        return [*cmd[:-1], "-H", f"Cookie: {self.cookie}", cmd[-1]]


def sign_in(env: dict[str, str], path: str, loops: int) -> Json:
    return python_json(env, _SIGN_IN, path, USERNAME, str(loops))


def run(
    *,
    database_url: str,
    load: Load,
    rounds: int = 1,
    do_prepare: bool = True,
    page_path: str = PAGE,
    loops: int = 30,
    server: Server | None = None,
) -> Json:
    env = bench_env(database_url)
    started = time.monotonic()
    if do_prepare:
        prepare(env, history=True)
        minefree(env, "collectstatic", "--noinput", "-v0")  # the page's CSS and scripts
    info = sign_in(env, page_path, loops)
    if info["first_status"] != 200 or not info["signed_in"]:
        raise RuntimeError(f"{page_path} is not shown to a signed-in focal point: {info}")
    signed = SignedInLoad(
        load.connections, load.threads, load.duration_s, load.warmup_s, load.timeout_s,
        cookie=info.pop("cookie"),
    )  # fmt: skip
    server = server or Server()
    with tempfile.TemporaryDirectory(prefix="minefree-bench-") as tmp:
        log = Path(tmp) / "gunicorn.log"
        with gunicorn(server, env, log, page_path) as (base, pid):
            url = base + page_path
            run_wrk(signed, url, signed.warmup_s)  # both workers fill their fragments
            measured = _combine(
                [run_wrk(signed, url, signed.duration_s, pid) for _ in range(rounds)]
            )
        server_log = log.read_text(errors="replace").strip() if log.exists() else ""
    p99_s = round(measured["p99_ms"] / 1000, 4)
    clean = measured["non_2xx_3xx"] == 0 and not any(measured["socket_errors"].values())
    warm_ms = info["in_process_warm"]["median_ms"]
    bypassed_ms = info["in_process_fragments_bypassed"]["median_ms"]
    targets: Json = {"p99_s": {"max": P99_TARGET_S, "value": p99_s, "pass": p99_s <= P99_TARGET_S}}
    return {
        "description": (
            f"GET {page_path} signed in as Peru's focal point (no page cache; shared "
            "fragments warm), gunicorn 2 sync workers, wrk on the loopback"
        ),
        "database": info["vendor"],
        "measured": {"url": page_path, **measured},
        "ratios": {
            "p99_s": p99_s,
            "in_process_bypassed_vs_warm": round(bypassed_ms / warm_ms, 1) if warm_ms else None,
        },
        "targets": targets,
        "pass": clean and all(t["pass"] for t in targets.values()),
        "errors_free": clean,
        "summary_lines": [
            f"in process: {warm_ms} ms warm, {bypassed_ms} ms with the fragments bypassed; "
            f"{info['queries_warm']} queries warm ({info['queries_fragments_bypassed']} bypassed)"
        ],
        "server": {"gunicorn": server.describe()},
        "load": {**signed.describe(rounds), "cookie": "session of a focal point of Peru"},
        "diagnostics": {**info, "server_log": server_log[-2000:]},
        "machine": machine_info(),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("Signed-in country page under wrk.")
    parser.add_argument("--path", default=PAGE)
    parser.add_argument("--loops", type=int, default=30, help="in-process renders to time")
    add_gunicorn_arguments(parser)
    add_server_arguments(parser, prepare="migrate/load reference and demo history/collect")
    parser.set_defaults(duration=10)
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or pass --database-url")
    return record_run(
        args.name,
        args.results,
        lambda: run(
            page_path=args.path,
            loops=args.loops,
            server=server_of(args),
            **run_options(args),
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
