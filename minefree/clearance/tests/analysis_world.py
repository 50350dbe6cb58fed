"""A state's clearance history for the analysis tests: Article 7 reports stored through the
import service, a request filled and submitted through the services, flows recorded
through funding's. The figures are invented for the tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minefree.clearance import services
from minefree.clearance.content import checked
from minefree.clearance.models import RequestVersion
from minefree.core.audit import SYSTEM
from minefree.core.models import Origin
from minefree.funding.flows import flow_record
from minefree.funding.models import Flow
from minefree.registry.models import Actor
from minefree.reporting.exchange.imports import HistoricReport, reports_import_history
from minefree.reporting.exchange.xlsx import ParsedReport

#: Peru's land release by year (cleared, reduced, cancelled), remaining at the end of the
#: year, newly found in the year
PERU_RELEASE = {
    2021: (20_000, 5_000, 5_000, 420_000, 0),
    2022: (25_000, 5_000, 0, 390_000, 0),
    2023: (15_000, 5_000, 0, 400_000, 30_000),
    2024: (30_000, 10_000, 0, 360_000, 0),
    2025: (20_000, 5_000, 5_000, 330_000, 0),
}

#: a request of Peru submitted in 2026: behind its plan, the deadline out of reach
PERU_2026: dict[str, Any] = {
    "submitted_on": "2026-03-31",
    "requested_deadline": "2034-12-31",
    "language": "en",
    "narratives": {
        "impediments": "Difficult terrain in the Cordillera del Cóndor and a lack of funding.",
        "implications": "Communities of Amazonas cannot use their land.",
    },
    "remaining": [
        {"region": "Amazonas", "hazard": "CHA", "areas": 20, "area_m2": 280_000},
        {"region": "Amazonas", "hazard": "SHA", "areas": 5, "area_m2": 50_000},
    ],
    "previous_period": [
        {"year": year, "planned_m2": 40_000, "achieved_m2": sum(figures[:3])}
        for year, figures in PERU_RELEASE.items()
    ],
    "milestones": [
        {"year": year, "method": "cleared", "area_m2": 30_000} for year in range(2026, 2035)
    ],
    "budget": [
        {"year": 2026, "source": "national", "amount": 200_000, "currency": "USD"},
        {"year": 2026, "source": "international_sought", "amount": 600_000, "currency": "USD"},
        {"year": 2027, "source": "international_sought", "amount": 700_000, "currency": "USD"},
    ],
}


def peru() -> Actor:
    return Actor.objects.get(iso3="PER")


def release_report(
    state: str,
    year: int,
    figures: tuple[int, int, int, int, int],
    *,
    origin: str = "",
    challenges: list[dict[str, str]] | None = None,
    national: list[dict[str, Any]] | None = None,
) -> HistoricReport:
    cleared, reduced, cancelled, remaining, found = figures
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {
        ("C", "land_release"): [
            {"region": "Amazonas", "method": method, "area_m2": area}
            for method, area in (
                ("cleared", cleared),
                ("reduced", reduced),
                ("cancelled", cancelled),
            )
            if area
        ],
        ("C", "mined_areas"): [{"region": "Amazonas", "hazard_class": "CHA", "area_m2": remaining}],
    }
    if found:
        rows[("C", "newly_found")] = [
            {"region": "Amazonas", "reason": "newly_found", "area_m2": found}
        ]
    if challenges:
        rows[("J", "challenges")] = challenges
    if national:
        rows[("J", "national_resources")] = national
    return HistoricReport(
        ParsedReport(state=state, year=year, kind="annual", rows=rows, origin=origin),
        dt.datetime(year + 1, 4, 28, 10, tzinfo=dt.UTC),
        source="clearance analysis tests",
    )


def peru_history(origin: str = Origin.REPORTED, years: range | None = None) -> None:
    """Peru's Article 7 reports of 2021–2025 (or ``years``), as submitted then."""
    reports = []
    for year, figures in PERU_RELEASE.items():
        if years is not None and year not in years:
            continue
        extra: dict[str, Any] = {}
        if year == 2025:
            extra["challenges"] = [
                {"category": "financial", "description": "Funding does not cover the plan."}
            ]
            extra["national"] = [
                {"amount": 150_000, "currency": "USD", "pillar": "survey_clearance"}
            ]
        reports.append(release_report("PER", year, figures, **extra))
    reports_import_history(actor=SYSTEM, reports=reports, origin=origin)


def submitted_request(
    user: Any, data: dict[str, Any] | None = None, origin: str = Origin.REPORTED
) -> RequestVersion:
    draft = services.request_open(actor=user, state=peru(), origin=origin)
    services.version_fill(actor=user, version=draft, content=checked(data or PERU_2026))
    return services.request_submit(actor=user, version=draft)


def flow(donor: str, year: int, amount: int, status: str = "paid", **extra: Any) -> Flow:
    return flow_record(
        actor=SYSTEM,
        donor=Actor.objects.get(iso3=donor),
        recipient=peru(),
        status=status,
        year=year,
        amount=amount,
        currency="USD",
        reported_by="donor",
        pillar="survey_clearance",
        **extra,
    )
