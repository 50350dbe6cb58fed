"""Benchmark "fund_grants": 50 grant approvals at the same moment against a fund that can
afford only 20 of them.

Untimed set-up, on a fresh database: migrate, the reference data, then through the fund's
services (as the console) a contribution of 205,000 EUR received, a 2024 call and 50
selected applications of the Nigerian Mine Action Centre (10,000 EUR each; scored on
Denmark's behalf, decided for the chair).

Timed: 50 threads, each with its own database connection, wait at a barrier, then each
calls ``fund.services.grant_agree`` for its application as ISU staff. The fund's balance
row is locked by each approval (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs one
writer at a time), so exactly 20 are signed and 30 refused with "The fund has 5000.00 EUR
available; ...". Recorded: succeeded (signed), refused, throughput (approvals per second from the
barrier to the last answer) and p95 latency (barrier to answer, per approval).

Targets: succeeded == affordable, refused == 50 − affordable, every refusal names the
amount available, available ≥ 0 after and the balance row equals the sums of its
ledger entries.

    DATABASE_URL=postgres://... python bench/fund_grants.py --name n --results r.json
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Json, bench_parser, machine_info, record_on_own_database

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")

APPROVALS = 50
AFFORDABLE = 20
GRANT = Decimal("10000.00")
LEFT_OVER = Decimal("5000.00")  # what the 20 leave: less than one more grant
CURRENCY = "EUR"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _prepare() -> tuple[Any, list[int]]:
    """The fund, the call and the selected applications (untimed); the ISU staff user.

    The console drafts for the Nigerian centre; ISU staff screen, record Denmark's scores
    and the chair's decision (a score needs the person who recorded it)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from minefree.accounts.models import Membership, Role
    from minefree.core.audit import SYSTEM
    from minefree.core.models import Origin
    from minefree.fund import services
    from minefree.fund.models import Eligibility
    from minefree.registry.models import Actor

    quiet = io.StringIO()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_reference", quiet=True, stdout=quiet)
    isu, _created = get_user_model().objects.get_or_create(username="bench_fund_isu")
    Membership.objects.get_or_create(
        user=isu, role=Role.ISU_STAFF, defaults={"starts_on": dt.date(2020, 1, 1)}
    )
    services.contribution_record(
        actor=SYSTEM,
        donor=Actor.objects.get(iso3="NLD"),
        amount=GRANT * AFFORDABLE + LEFT_OVER,
        currency=CURRENCY,
        received_on=dt.date(2024, 3, 1),
        notes="Synthetic benchmark data.",
        origin=Origin.SYNTHETIC,
    )
    call = services.call_create(
        actor=SYSTEM,
        title="Benchmark call (synthetic demo data)",
        opens_on=dt.date(2024, 6, 1),
        closes_on=dt.date(2024, 8, 31),
        budget=GRANT * APPROVALS,
        max_amount=GRANT,
        currency=CURRENCY,
        eligibility=Eligibility.NATIONAL_BODIES,
        origin=Origin.SYNTHETIC,
    )
    services.call_publish(actor=SYSTEM, call=call)
    nmac = Actor.objects.get(slug="nigeria-nmac")
    turmac = Actor.objects.get(slug="turkiye-turmac")
    denmark = Actor.objects.get(iso3="DNK")
    checks = {code: True for code, _label in services.SCREENING_CHECKS}
    ids = []
    for n in range(APPROVALS):
        application = services.application_create(
            actor=SYSTEM,
            call=call,
            applicant=nmac,
            theme="information_management",
            host=turmac,
            objectives=f"Benchmark application {n} (synthetic demo data).",
            delegation=[{"function": "Director", "gender": "woman", "age_band": "45-59"}],
            starts_on=dt.date(2024, 11, 3),
            ends_on=dt.date(2024, 11, 8),
            agenda="Briefings.",
            origin=Origin.SYNTHETIC,
        )
        services.budget_lines_replace(
            actor=SYSTEM,
            application=application,
            lines=[{"category": "travel", "description": "Flights", "amount": str(GRANT)}],
        )
        services.application_submit(actor=SYSTEM, application=application, on=dt.date(2024, 8, 20))
        services.application_screen(actor=isu, application=application, checks=checks)
        services.score_record(
            actor=isu,
            application=application,
            values={c["code"]: 4 for c in services.criteria_of(application)},
            on_behalf_of=denmark,
        )
        services.decision_record(
            actor=isu, application=application, selected=True, reasons="Benchmark."
        )
        ids.append(application.pk)
    return isu, ids


def _approve_at_once(isu: Any, ids: list[int]) -> tuple[list[tuple[str, str, float]], float]:
    """Each application approved from its own thread; (outcome, message, seconds) each and
    the wall time from the barrier to the last answer."""
    from django.core.exceptions import ValidationError
    from django.db import connections

    from minefree.fund import services
    from minefree.fund.models import Application

    barrier = threading.Barrier(len(ids) + 1)
    results: list[tuple[str, str, float]] = [("missing", "", 0.0)] * len(ids)
    started = [0.0]

    def run(n: int) -> None:
        try:
            application = Application.objects.get(pk=ids[n])  # connection opened before
            barrier.wait(timeout=60)
            moment = time.perf_counter()
            try:
                services.grant_agree(
                    actor=isu, application=application, amount=GRANT, signed_on=dt.date(2024, 10, 1)
                )
                results[n] = ("signed", "", time.perf_counter() - moment)
            except ValidationError as exc:
                results[n] = ("refused", " ".join(exc.messages), time.perf_counter() - moment)
        except Exception as exc:
            results[n] = ("error", f"{type(exc).__name__}: {exc}", 0.0)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(ids))]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started[0] = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started[0]


def run() -> Json:
    import django

    django.setup()
    from django.db import connection
    from django.utils import translation

    from minefree.fund.ledger import totals_from_entries
    from minefree.fund.models import FundBalance

    translation.activate("en")
    begun = time.monotonic()
    isu, ids = _prepare()
    setup_s = round(time.monotonic() - begun, 1)
    results, wall = _approve_at_once(isu, ids)

    signed = [r for r in results if r[0] == "signed"]
    refused = [r for r in results if r[0] == "refused"]
    errors = [r[1] for r in results if r[0] in ("error", "missing")]
    expected = f"The fund has {LEFT_OVER} {CURRENCY} available; this needs {GRANT} {CURRENCY}."
    naming = sum(1 for r in refused if r[1].startswith(expected))
    balance = FundBalance.objects.get(currency=CURRENCY)
    figures = {
        "received": balance.received,
        "reserved": balance.reserved,
        "disbursed": balance.disbursed,
        "refunded": balance.refunded,
    }
    agree = figures == totals_from_entries(CURRENCY)
    latencies = [r[2] * 1000 for r in results if r[0] in ("signed", "refused")]
    p50 = _percentile(latencies, 0.5) if latencies else 0.0
    p95 = _percentile(latencies, 0.95) if latencies else 0.0
    throughput = len(latencies) / wall if wall else 0.0
    share_naming = naming / len(refused) if refused else 1.0
    available = float(balance.available)

    targets = {
        # succeeded == affordable and refused == the rest: each as a lower and an upper bound
        "succeeded_min": {
            "min": AFFORDABLE,
            "value": len(signed),
            "pass": len(signed) >= AFFORDABLE,
        },
        "succeeded_max": {
            "max": AFFORDABLE,
            "value": len(signed),
            "pass": len(signed) <= AFFORDABLE,
        },
        "refused_min": {
            "min": APPROVALS - AFFORDABLE,
            "value": len(refused),
            "pass": len(refused) >= APPROVALS - AFFORDABLE,
        },
        "refused_max": {
            "max": APPROVALS - AFFORDABLE,
            "value": len(refused),
            "pass": len(refused) <= APPROVALS - AFFORDABLE,
        },
        "refusals_naming": {"min": 1.0, "value": share_naming, "pass": share_naming == 1.0},
        "available_after": {"min": 0.0, "value": available, "pass": available >= 0},
        "books_agree": {"min": 1, "value": int(agree), "pass": agree},
        "errors": {"max": 0, "value": len(errors), "pass": not errors},
    }
    ok = all(t["pass"] for t in targets.values())
    return {
        "description": (
            f"{APPROVALS} grant approvals (fund.services.grant_agree, {GRANT} {CURRENCY} each) "
            f"at the same moment from {APPROVALS} threads, each with its own connection, "
            f"against a fund holding {GRANT * AFFORDABLE + LEFT_OVER} {CURRENCY}: "
            f"{AFFORDABLE} affordable"
        ),
        "database": connection.vendor,
        "measured": {
            "approvals": APPROVALS,
            "affordable": AFFORDABLE,
            "succeeded": len(signed),
            "refused": len(refused),
            "errors": errors[:5],
            "refusals_naming_available": naming,
            "available_after": str(balance.available),
            "reserved_after": str(balance.reserved),
            "books_agree": agree,
            "wall_s": round(wall, 3),
            "approvals_per_s": round(throughput, 1),
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "max_ms": round(max(latencies), 1) if latencies else None,
            "setup_s": setup_s,
        },
        "ratios": {
            "succeeded": len(signed),
            "refused": len(refused),
            "affordable": AFFORDABLE,
            "refusals_naming": share_naming,
            "available_after": available,
            "books_agree": int(agree),
            "errors": len(errors),
            "approvals_per_s": round(throughput, 1),
            "p95_ms": round(p95, 1),
        },
        "targets": targets,
        "pass": ok,
        "summary_lines": [
            f"{APPROVALS} approvals at once, {AFFORDABLE} affordable: {len(signed)} succeeded, "
            f"{len(refused)} refused ({naming} naming the {LEFT_OVER} {CURRENCY} available), "
            f"{len(errors)} errors; available after {balance.available} {CURRENCY}, "
            f"books agree: {agree}",
            f"{throughput:.1f} approvals/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms "
            f"(barrier to answer; {wall:.2f} s in all)",
        ],
        "machine": machine_info(),
        "seconds": round(time.monotonic() - begun, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser("Concurrent grant approvals of the fund.", name="fund_grants")
    args = parser.parse_args(argv)
    return record_on_own_database(args.name, args.results, run, prefix="fund-grants")


if __name__ == "__main__":
    sys.exit(main())
