"""Benchmark "api_writes": a national centre pushing its Form C table through the API.

1. **Table replace.** A 1,000-row Form C table (remaining mined areas by region) replaces
   the draft's table, alternately with two sets of figures so that every call changes
   every row. Each round times, on the same draft and database:

   * the baseline: calling the service ``reporting.services.table_replace`` directly in
     this process with the same rows and the version it read (what the endpoint calls);
   * the API: ``PUT /api/reports/{id}/forms/C/tables/mined_areas`` with a personal token,
     the JSON body and ``If-Match``, against gunicorn (2 sync workers) on the loopback.

   The ratio is baseline seconds / API seconds (medians; target >= 0.5): what parsing the
   JSON, the token, the rate limit, the lookups and the answer cost on top of the work.
2. **Row PATCH under load.** 16 clients at once each change their own row of that table
   (``PATCH …/rows/{id}`` with the ``ETag`` of their last answer as ``If-Match``) for a
   few seconds; p50 / p99 latency and throughput are reported (no target: on two cores the
   clients and the server share the CPU).

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python bench/api_writes.py --name n --results r.json
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Json, add_server_arguments, bench_parser, machine_info, record_run
from country_page import Server, bench_env, gunicorn, prepare

sys.path.insert(0, str(ROOT))

RATIO_TARGET = 0.5
ROWS = 1000
CLIENTS = 16
TABLE_PATH = "/api/reports/{version}/forms/C/tables/mined_areas"


def _rows(variant: int) -> list[Json]:
    """A Form C table of ``ROWS`` regions; ``variant`` changes every area."""
    return [
        {
            "region": f"Region {n:04d}",
            "hazard_class": "CHA" if n % 3 else "SHA",
            "areas": 1 + n % 7,
            "area_m2": 10_000 + 37 * n + variant,
            "mine_types": "PMN-2, M14",
            "emplaced": "1995",
            "notes": f"Survey of {2020 + n % 5}",
        }
        for n in range(ROWS)
    ]


def _setup() -> tuple[Any, Any, str]:
    """The focal point of Peru, their draft for last year and a read-write token (untimed)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from minefree.accounts import services as accounts
    from minefree.registry.models import Actor
    from minefree.reporting import services

    user = get_user_model().objects.get(username="focal_point_peru")
    peru = Actor.objects.get(iso3="PER")
    draft = services.report_open(actor=user, state=peru, year=timezone.localdate().year - 1)
    _token, secret = accounts.api_token_create(
        actor=user, user=user, name=f"bench-{time.time_ns()}", expires_in_days=1
    )
    return user, draft, secret


def _direct(user: Any, draft: Any, variant: int) -> float:
    """One table replace through the service, with the version it read; seconds."""
    from minefree.reporting import services
    from minefree.reporting.models import FormRow

    table = FormRow.objects.filter(version=draft, letter="C", table="mined_areas")
    current = services.table_version(list(table.order_by("position", "pk")))
    rows = _rows(variant)
    start = time.perf_counter()
    services.table_replace(
        actor=user,
        version=draft,
        letter="C",
        table="mined_areas",
        rows=rows,
        expected_version=current,
    )
    return time.perf_counter() - start


class Api:
    """A client of one server with a token; one connection per call, as sync gunicorn closes it."""

    def __init__(self, base: str, token: str) -> None:
        self.host, self.port = base.removeprefix("http://").split(":")
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers=self.headers | (headers or {}))
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()


def _through_api(api: Api, path: str, variant: int, version: str) -> tuple[float, str]:
    """One table replace through the API; seconds and the new ETag."""
    body = _rows(variant)
    start = time.perf_counter()
    status, headers, content = api.call("PUT", path, body, {"If-Match": version})
    elapsed = time.perf_counter() - start
    if status != 200:
        raise RuntimeError(f"PUT {path}: {status} {content[:300]!r}")
    return elapsed, headers["ETag"]


def _patch_load(api: Api, rows_path: str, row_ids: list[int], seconds: float) -> Json:
    """``CLIENTS`` threads each PATCH their own row until ``seconds`` have passed."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(row_id: int) -> None:
        _status, headers, _body = api.call("GET", f"{rows_path}/{row_id}")
        version, n = headers["ETag"], 0
        mine: list[float] = []
        seen: dict[int, int] = {}
        while time.perf_counter() < stop_at:
            n += 1
            start = time.perf_counter()
            status, headers, _body = api.call(
                "PATCH", f"{rows_path}/{row_id}", {"area_m2": 5_000 + n}, {"If-Match": version}
            )
            mine.append(time.perf_counter() - start)
            seen[status] = seen.get(status, 0) + 1
            version = headers.get("ETag", version)
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(row_id,)) for row_id in row_ids]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {
        "clients": len(row_ids),
        "requests": len(ordered),
        "requests_per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(1000 * ordered[-1], 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def run(*, database_url: str, rounds: int, patch_seconds: float, do_prepare: bool) -> Json:
    env = bench_env(database_url)
    env["MINEFREE_API_RATE_TOKEN"] = "1000000/m"  # the limit is not what is measured
    os.environ.update(env)
    if do_prepare:
        prepare(env)
        from country_page import minefree

        minefree(env, "demo-accounts")
    user, draft, token = _setup()
    from django.db import connection

    vendor = connection.vendor
    path = TABLE_PATH.format(version=draft.pk)
    server = Server()
    log = Path(f"/tmp/minefree-bench-api-{os.getpid()}.log")
    direct: list[float] = []
    through: list[float] = []
    with gunicorn(server, env, log, "/api/states?limit=1") as (base, _pid):
        api = Api(base, token)
        _direct(user, draft, 0)  # warm-up of both paths, untimed
        status, headers, _body = api.call("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        _through_api(api, path, 1, headers["ETag"])
        for n in range(rounds):
            direct.append(_direct(user, draft, 2 * n + 2))
            _status, headers, _body = api.call("GET", path)
            seconds, _version = _through_api(api, path, 2 * n + 3, headers["ETag"])
            through.append(seconds)
        _status, _headers, body = api.call("GET", path)
        row_ids = [row["id"] for row in json.loads(body)["rows"][:CLIENTS]]
        patch = _patch_load(api, f"{path}/rows", row_ids, patch_seconds)
    log.unlink(missing_ok=True)
    direct_s, api_s = statistics.median(direct), statistics.median(through)
    ratio = round(direct_s / api_s, 3)
    return {
        "description": (
            "PUT of a 1,000-row Form C table through the API (token, JSON, gunicorn) vs the "
            "same service called directly with the same rows, same run; then 16 clients "
            "PATCHing one row each"
        ),
        "database": vendor,
        "server": server.describe(),
        "measured": {"api_put_s": round(api_s, 4), "rounds_s": [round(s, 4) for s in through]},
        "baseline": {
            "service_call_s": round(direct_s, 4),
            "rounds_s": [round(s, 4) for s in direct],
        },
        "rows": ROWS,
        "patch_under_load": patch,
        "ratios": {"speed_ratio": ratio},
        "targets": {
            "speed_ratio": {"min": RATIO_TARGET, "value": ratio, "pass": ratio >= RATIO_TARGET},
            "patch_errors": {
                "max": 0,
                "value": sum(v for k, v in patch["statuses"].items() if k != "200"),
                "pass": set(patch["statuses"]) == {"200"},
            },
        },
        "pass": ratio >= RATIO_TARGET and set(patch["statuses"]) == {"200"},
        "summary_lines": [
            f"table of {ROWS} rows: API {1000 * api_s:.0f} ms vs service {1000 * direct_s:.0f} ms "
            f"(ratio {ratio})",
            f"row PATCH, {patch['clients']} clients: p50 {patch['p50_ms']} ms, "
            f"p99 {patch['p99_ms']} ms, {patch['requests_per_s']} req/s, "
            f"statuses {patch['statuses']}",
        ],
        "machine": machine_info(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__ or "", name="api_writes")
    add_server_arguments(parser, prepare="migrate, reference data and demo accounts")
    parser.add_argument("--patch-seconds", type=float, default=6.0)
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or --database-url")

    def measure() -> Json:
        result = run(
            database_url=args.database_url,
            rounds=max(args.rounds, 5),
            patch_seconds=args.patch_seconds,
            do_prepare=not args.no_prepare,
        )
        for line in result["summary_lines"]:
            print(f"  {line}")
        return result

    return record_run(args.name, args.results, measure)


if __name__ == "__main__":
    sys.exit(main())
