"""Benchmark "public_pages": the compliance dashboard cached, and random query strings.

On a database with the reference data and the synthetic Article 7 history (about 2,250
reports, as in the demo), one gunicorn server (production-like settings, 2 sync workers)
serves, each loaded in turn by wrk on the loopback:

1. ``/reports/compliance/`` as anonymous visitors get it now: a cached hit;
2. the same HTML as a static file (WhiteNoise), the baseline of the ratio;
3. ``/reports/compliance/`` rendered in full, as every request was before it was cached
   (wrk sends a session cookie, which always bypasses the cache): the "before" figure;
4. ``/states/PER/`` and ``/states/PER/?r=<random>`` (a new random string each request,
   from a wrk Lua script): random parameters must not push requests past the cache.

Targets: the cached dashboard at least half the static file's throughput (as the country
page), and the random-query page at least 0.8 of the plain one.

    DATABASE_URL=sqlite:////tmp/p/bench.sqlite3 python bench/public_pages.py --name n
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Json, add_server_arguments, bench_parser, machine_info, record_run
from country_page import (
    Load,
    Server,
    _combine,
    bench_env,
    http_get,
    inspect,
    parse_wrk,
    prepare,
    run_options,
    static_copy,
)

CACHED_TARGET = 0.5
RANDOM_QUERY_TARGET = 0.8
DASHBOARD = "/reports/compliance/"
COUNTRY = "/states/PER/"

_RANDOM_QUERY = """
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "%s?r=" .. math.random(1, 2147483647) .. math.random(1, 2147483647))
end
"""


def _wrk(load: Load, url: str, seconds: int, header: str = "", script: str = "") -> Json:
    cmd = load.command(url, seconds)
    if header:
        cmd[1:1] = ["-H", header]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    figures = parse_wrk(out)
    figures["command"] = " ".join(cmd)
    return figures


def _drain(url: str, limit_s: float = 60.0) -> None:
    """Wait until the server has worked off the requests wrk left queued (full renders
    take long: their backlog would slow the next measurement)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        began = time.monotonic()
        http_get(url)
        if time.monotonic() - began < 0.05:
            return
        time.sleep(0.5)


def run(*, database_url: str, load: Load, rounds: int = 1, do_prepare: bool = True) -> Json:
    env = bench_env(database_url)
    started = time.monotonic()
    if do_prepare:
        prepare(env, history=True)
    info = inspect(env, DASHBOARD)
    if info["first_status"] != 200 or info["second_cache"] != "hit":
        raise RuntimeError(f"{DASHBOARD} is not served from the cache: {info}")
    server = Server()
    sink: dict[str, list[Json]] = {k: [] for k in ("cached", "static", "render", "plain", "random")}
    with tempfile.TemporaryDirectory(prefix="minefree-bench-") as tmp:
        log = Path(tmp) / "gunicorn.log"
        script = Path(tmp) / "random.lua"
        script.write_text(_RANDOM_QUERY % COUNTRY)
        with static_copy(server, env, log, DASHBOARD, info, "compliance") as copy:
            base = copy.base
            runs = {
                "cached": (base + DASHBOARD, "", ""),
                "static": (base + copy.static_path, "", ""),
                "render": (base + DASHBOARD, "Cookie: sessionid=bench", ""),
                "plain": (base + COUNTRY, "", ""),
                "random": (base + COUNTRY, "", str(script)),
            }
            for url, header, lua in runs.values():
                _wrk(load, url, load.warmup_s, header, lua)
                _drain(base + COUNTRY)
            for i in range(rounds):
                names = list(runs) if i % 2 == 0 else list(reversed(runs))
                for name in names:
                    url, header, lua = runs[name]
                    sink[name].append(_wrk(load, url, load.duration_s, header, lua))
                    _drain(base + COUNTRY)
        server_log = log.read_text(errors="replace").strip() if log.exists() else ""
    figures = {name: _combine(found) for name, found in sink.items()}
    rate = {name: f["requests_per_s"] for name, f in figures.items()}
    ratios = {
        "cached_vs_static": round(rate["cached"] / rate["static"], 3),
        "cached_vs_render": round(rate["cached"] / rate["render"], 1),
        "random_query_vs_plain": round(rate["random"] / rate["plain"], 3),
    }
    targets: Json = {
        "cached_vs_static": {
            "min": CACHED_TARGET,
            "value": ratios["cached_vs_static"],
            "pass": ratios["cached_vs_static"] >= CACHED_TARGET,
        },
        "random_query_vs_plain": {
            "min": RANDOM_QUERY_TARGET,
            "value": ratios["random_query_vs_plain"],
            "pass": ratios["random_query_vs_plain"] >= RANDOM_QUERY_TARGET,
        },
    }
    clean = all(
        f["non_2xx_3xx"] == 0 and not any(f["socket_errors"].values()) for f in figures.values()
    )
    return {
        "description": (
            "Compliance dashboard cached vs a static copy and vs a full render (the 'before'); "
            "country page with and without random query strings; gunicorn, wrk on the loopback"
        ),
        "database": info["vendor"],
        "database_version": info["db_version"],
        "summary_lines": [
            f"compliance dashboard: cached {rate['cached']:.0f} req/s, full render "
            f"{rate['render']:.1f} req/s (before), static copy {rate['static']:.0f} req/s",
            f"country page: {rate['plain']:.0f} req/s; with random query strings "
            f"{rate['random']:.0f} req/s",
        ],
        "requests_per_s": rate,
        "p99_ms": {name: f["p99_ms"] for name, f in figures.items()},
        "measured": figures,
        "ratios": ratios,
        "targets": targets,
        "pass": clean and all(t["pass"] for t in targets.values()),
        "errors_free": clean,
        "server": {"gunicorn": server.describe(), "log": server_log[-2000:]},
        "load": load.describe(rounds),
        "machine": machine_info(),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("Cached dashboards and random query strings.")
    add_server_arguments(parser, prepare="migrate and loading")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or pass --database-url")
    return record_run(args.name, args.results, lambda: run(**run_options(args)))


if __name__ == "__main__":
    sys.exit(main())
