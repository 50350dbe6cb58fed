"""Indicators: every indicator of the action plans for every year from 1999 to this year, with
the records behind every value named (``selectors.describe``), on the full synthetic history.

Untimed set-up, on a fresh database: migrate, the reference data (the plans and their
indicators included), the demo accounts, the synthetic Article 7 history
(``load-demo-history``), the synthetic cooperation set (flows, cases, platforms), the
synthetic extension requests and the synthetic fund (exchange visits).

Timed, several rounds after an untimed first one (median and p95 reported; the first
round, which also builds the URL resolver and reads the translation catalogues, apart): ``facts.load`` of all years,
``selectors.series`` of every indicator over them, and ``selectors.describe`` of the
records of every value, reported and synthetic: what a page of all indicators with their
provenance needs.

Target: the whole under 1.0 s (median), on SQLite and on PostgreSQL.

    python bench/indicators.py                 # temporary SQLite file, prints JSON
    DATABASE_URL=postgres://... python bench/indicators.py --name n --results r.json
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Json, bench_parser, machine_info, record_on_own_database

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")

TARGET_S = 1.0
ROUNDS = 7
FIRST_YEAR = 1999


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(rounds: int, prepare: bool = True) -> Json:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation

    from minefree.indicators import facts as facts_module
    from minefree.indicators import selectors

    started = time.monotonic()
    quiet = io.StringIO()
    if prepare:
        call_command("migrate", "--noinput", verbosity=0)
        call_command("load_reference", quiet=True, stdout=quiet)
        call_command("demo_accounts", stdout=quiet)
        call_command("load_demo_history", quiet=True, stdout=quiet)
        call_command("load_demo_cooperation", stdout=quiet)
        for command in ("load_demo_extensions", "load_demo_fund"):
            call_command(command, stdout=quiet)
    translation.activate("en")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does after a large import
    setup_s = round(time.monotonic() - started, 1)
    last = timezone.localdate().year
    items = list(selectors.indicators())
    counted: dict[str, int] = {}

    def all_indicators() -> None:
        facts = facts_module.load(FIRST_YEAR, last)
        records = 0
        values = computed = 0
        for series in selectors.series(items, FIRST_YEAR, last, facts):
            for value in series.values:
                values += 1
                parts = [value.reported] + ([value.synthetic] if value.synthetic else [])
                for part in parts:
                    computed += part.computed
                    lines = selectors.describe(part.records)
                    records += len(lines)
        counted.update(values=values, computed_parts=computed, records=records)

    # the first round in a process also pays for the URL resolver and the translation
    # catalogues, once: reported apart, not in the median and p95
    moment = time.perf_counter()
    all_indicators()
    first_s = time.perf_counter() - moment
    times = []
    for _ in range(rounds):
        moment = time.perf_counter()
        all_indicators()
        times.append(time.perf_counter() - moment)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        all_indicators()
    median, p95 = statistics.median(times), _p95(times)
    records = counted["records"]
    per_record_us = round(median / records * 1e6, 1) if records else None
    per_value_ms = round(median / counted["values"] * 1000, 3) if counted["values"] else None
    ok = median < TARGET_S and p95 < TARGET_S
    years = last - FIRST_YEAR + 1
    return {
        "description": (
            "facts.load, selectors.series of every indicator for every year from 1999 to this "
            "year and selectors.describe of every value's records (reported and synthetic), "
            "on the full synthetic history"
        ),
        "database": connection.vendor,
        "measured": {
            "indicators": len(items),
            "years": years,
            "values": counted["values"],
            "computed_parts": counted["computed_parts"],
            "records": records,
            "median_s": round(median, 4),
            "p95_s": round(p95, 4),
            "rounds_s": [round(t, 4) for t in times],
            "first_round_s": round(first_s, 4),
            "queries": len(queries.captured_queries),
            "setup_s": setup_s,
        },
        "ratios": {
            "per_record_us": per_record_us,
            "per_value_ms": per_value_ms,
            "records_per_s": round(records / median) if median else None,
        },
        "targets": {
            "median_s": {"max": TARGET_S, "value": round(median, 4), "pass": median < TARGET_S},
            "p95_s": {"max": TARGET_S, "value": round(p95, 4), "pass": p95 < TARGET_S},
        },
        "pass": ok,
        "summary_lines": [
            f"{len(items)} indicators x {years} years = {counted['values']} values, "
            f"{records} records described: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
            f"({len(queries.captured_queries)} queries; {per_record_us} us per record); "
            f"first round in the process {first_s * 1000:.0f} ms",
            f"target: median and p95 under {TARGET_S:.1f} s",
        ],
        "machine": machine_info(),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("Every indicator with its provenance.", name="indicators")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed rounds (median kept)")
    parser.add_argument(
        "--no-prepare",
        action="store_true",
        help="measure the database of DATABASE_URL as it is (prepared by an earlier run)",
    )
    args = parser.parse_args(argv)
    return record_on_own_database(
        args.name,
        args.results,
        lambda: run(max(1, args.rounds), prepare=not args.no_prepare),
        prefix="indicators",
    )


if __name__ == "__main__":
    sys.exit(main())
