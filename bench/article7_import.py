"""Article 7 import speed: the import service against a bare ORM ``bulk_create`` of the same rows.

The synthetic history of every State Party (the demo's, fixed seed and year) is generated
first; then, in the same process and on the same database, each round times

* the baseline: building the model instances of the reports, versions, forms and rows
  from the already-parsed data and inserting them with ``bulk_create`` (no checks);
* the import service ``reports_import_history``: the same rows plus what a real import
  does (type coercion, counterpart matching, validation with findings recorded, audit
  events, cache invalidation).

Each timed run is rolled back so both start from the same database. The ratio is
baseline seconds / import seconds (the import's speed relative to ``bulk_create``; target
>= 0.5). Then the history is imported for good (and, on PostgreSQL, the planner's
statistics refreshed as autovacuum would) to report beside it the XLSX parsing speed
(reports per second through ``parse_xlsx``) and the compliance dashboard's query count with
five states' reports (rolled back) and with everyone's.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python bench/article7_import.py --name n --results r.json
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Json, bench_parser, machine_info, record_in_process

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")

RATIO_TARGET = 0.5
LAST_YEAR = 2025
NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
FEW_STATES = {"AFG", "COL", "NOR", "PER", "SEN"}


def _prepare(history: list[Any]) -> list[tuple[Any, Any, Any, list[Json], list[Json]]]:
    """The values the baseline inserts: exactly what the import stores (untimed)."""
    from minefree.registry.models import Actor
    from minefree.registry.selectors import actor_resolver
    from minefree.reporting.exchange.imports import _build
    from minefree.reporting.models import ReportVersion
    from minefree.reporting.services import _period

    states = {a.iso3: a for a in Actor.objects.filter(iso3__in={h.parsed.state for h in history})}
    resolve = actor_resolver()
    prepared = []
    for h in history:
        state = states[h.parsed.state]
        period = _period(state, h.parsed.year, h.parsed.kind)
        entries, rows, _matched = _build(ReportVersion(), h.parsed, resolve)
        prepared.append(
            (
                state,
                period,
                h,
                [
                    {
                        "letter": e.letter,
                        "status": e.status,
                        "unchanged_since": e.unchanged_since,
                        "narratives": e.narratives,
                        "declared_totals": e.declared_totals,
                    }
                    for e in entries
                ],
                [
                    {
                        "letter": r.letter,
                        "table": r.table,
                        "position": r.position,
                        "data": r.data,
                        "counterpart": r.counterpart,
                    }
                    for r in rows
                ],
            )
        )
    return prepared


def _baseline(prepared: list[tuple[Any, Any, Any, list[Json], list[Json]]]) -> tuple[float, int]:
    """Seconds to build the instances and insert them with bare ``bulk_create``."""
    from minefree.core.models import Origin
    from minefree.reporting.models import (
        Article7Report,
        FormEntry,
        FormRow,
        ReportVersion,
        VersionStatus,
    )

    started = time.perf_counter()
    reports = Article7Report.objects.bulk_create(
        [
            Article7Report(
                state=state,
                year=h.parsed.year,
                kind=h.parsed.kind,
                period_start=period[0],
                period_end=period[1],
                due_date=period[2],
                origin=Origin.SYNTHETIC,
            )
            for state, period, h, _e, _r in prepared
        ]
    )
    versions = ReportVersion.objects.bulk_create(
        [
            ReportVersion(
                report=report, number=1, status=VersionStatus.SUBMITTED, submitted_at=h.submitted_at
            )
            for report, (_s, _p, h, _e, _r) in zip(reports, prepared, strict=True)
        ]
    )
    entries = []
    rows = []
    for version, (_s, _p, _h, entry_values, row_values) in zip(versions, prepared, strict=True):
        entries += [FormEntry(version=version, **e) for e in entry_values]
        rows += [FormRow(version=version, **r) for r in row_values]
    FormEntry.objects.bulk_create(entries, batch_size=2000)
    FormRow.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - started, len(rows)


class _RollbackError(Exception):
    pass


def _rolled_back(func: Any) -> Any:
    """Run ``func`` in a transaction that is then rolled back; return its result."""
    from django.db import transaction

    result: list[Any] = []
    try:
        with transaction.atomic():
            result.append(func())
            raise _RollbackError
    except _RollbackError:
        pass
    return result[0]


def _import(history: list[Any]) -> tuple[float, Any]:
    from minefree.core.audit import SYSTEM
    from minefree.core.models import Origin
    from minefree.reporting.exchange.imports import reports_import_history

    started = time.perf_counter()
    summary = reports_import_history(actor=SYSTEM, reports=history, origin=Origin.SYNTHETIC)
    return time.perf_counter() - started, summary


def _xlsx_speed(history: list[Any], sample: int) -> Json:
    """Export a sample of the stored reports to XLSX, then time ``parse_xlsx`` on them."""
    from minefree.reporting.exchange.xlsx import export_xlsx, parse_xlsx
    from minefree.reporting.models import ReportVersion

    step = max(len(history) // sample, 1)
    versions = list(ReportVersion.objects.select_related("report__state").order_by("pk")[::step])
    versions = versions[:sample]
    started = time.perf_counter()
    books = [export_xlsx(v) for v in versions]
    exported = time.perf_counter() - started
    started = time.perf_counter()
    rows = 0
    for book in books:
        parsed = parse_xlsx(book)
        rows += sum(len(r) for r in parsed.rows.values())
    parsed_s = time.perf_counter() - started
    return {
        "reports": len(books),
        "rows": rows,
        "bytes_mean": round(sum(len(b) for b in books) / max(len(books), 1)),
        "parse_reports_per_s": round(len(books) / parsed_s, 1),
        "export_reports_per_s": round(len(books) / exported, 1),
    }


def _dashboard_count() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/compliance/")
    assert response.status_code == 200, response.status_code
    return len(queries)


def _store_for_reading(history: list[Any]) -> None:
    """Commit the whole history, as after a real archive import, and refresh the planner's
    statistics the way autovacuum does shortly after (PostgreSQL)."""
    from django.db import connection

    _import(history)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run(rounds: int, sample: int) -> Json:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from minefree.reporting.exchange.synthetic import synthetic_history

    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_reference", quiet=True, stdout=io.StringIO())
    generated = time.perf_counter()
    history = synthetic_history(last_year=LAST_YEAR, now=NOW)
    generated = time.perf_counter() - generated
    prepared = _prepare(history)
    baseline_s: list[float] = []
    import_s: list[float] = []
    rows = 0
    summary: Any = None
    for _ in range(rounds):
        seconds, rows = _rolled_back(lambda: _baseline(prepared))
        baseline_s.append(seconds)
        seconds, summary = _rolled_back(lambda: _import(history))
        import_s.append(seconds)
    best_baseline, best_import = min(baseline_s), min(import_s)
    ratio = round(best_baseline / best_import, 3)
    few = [h for h in history if h.parsed.state in FEW_STATES]
    small = _rolled_back(lambda: (_import(few), _dashboard_count())[1])
    _store_for_reading(history)
    full = _dashboard_count()
    dashboard = {
        "reports_small": len(few),
        "small": small,
        "reports_full": len(history),
        "full_history": full,
        "constant": small == full,
    }
    xlsx = _xlsx_speed(history, sample)
    targets: Json = {
        "speed_ratio": {"min": RATIO_TARGET, "value": ratio, "pass": ratio >= RATIO_TARGET},
        # the dashboard's queries with the whole history minus those with a few states: 0
        "dashboard_extra_queries": {
            "max": 0,
            "value": dashboard["full_history"] - dashboard["small"],
            "pass": dashboard["constant"],
        },
    }
    return {
        "description": (
            "Import service (coercion, counterpart matching, validation, audit) vs bare ORM "
            "bulk_create of the same rows, full synthetic history, same database, rolled back"
        ),
        "database": connection.vendor,
        "history": {
            "states": len({h.parsed.state for h in history}),
            "reports": len(history),
            "form_rows": rows,
            "form_entries": summary.entries,
            "findings_recorded": summary.findings,
            "last_year": LAST_YEAR,
            "generation_s": round(generated, 2),
        },
        "measured": {
            "import_s": round(best_import, 3),
            "rounds_s": [round(s, 3) for s in import_s],
        },
        "baseline": {
            "bulk_create_s": round(best_baseline, 3),
            "rounds_s": [round(s, 3) for s in baseline_s],
        },
        "ratios": {"speed_ratio": ratio},
        "targets": targets,
        "pass": all(t["pass"] for t in targets.values()),
        "summary_lines": [
            f"{len(history)} reports, {rows} form rows, {summary.entries} forms "
            f"({len({h.parsed.state for h in history})} states, up to {LAST_YEAR})",
            f"import service {best_import:.2f} s vs bulk_create {best_baseline:.2f} s "
            f"({len(history) / best_import:.0f} vs {len(history) / best_baseline:.0f} reports/s)",
            f"XLSX parse {xlsx['parse_reports_per_s']} reports/s "
            f"(export {xlsx['export_reports_per_s']} reports/s, sample of {xlsx['reports']})",
            f"compliance dashboard: {dashboard['small']} queries with {len(FEW_STATES)} states' "
            f"reports, {dashboard['full_history']} with all {len(history)}",
        ],
        "xlsx": xlsx,
        "dashboard_queries": dashboard,
        "machine": machine_info(),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("Article 7 import vs bulk_create.")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds (best is kept)")
    parser.add_argument("--sample", type=int, default=100, help="reports for the XLSX timing")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL")
    return record_in_process(args.name, args.results, lambda: run(max(1, args.rounds), args.sample))


if __name__ == "__main__":
    sys.exit(main())
