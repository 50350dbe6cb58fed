"""Projection: when would the remaining contamination be released at the rates observed,
against the deadline requested? See the package docstring for the method."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from minefree.clearance.analysis.common import ZERO, ends_by, grouped, median, when, whole_m2
from minefree.clearance.analysis.facts import ReportYear, RequestFacts, Source
from minefree.clearance.analysis.period import milestones_by_year, statement_by_year

#: the rates of at most this many recent years give the range
WINDOW = 5
#: ... taken from this many years up to the year of the remaining figure
SPAN = 10
#: fewer observed years than this give no projection (one year is no rate)
MIN_YEARS = 2
DAYS_PER_YEAR = Decimal("365.25")


class Plausibility:
    PLAUSIBLE = "plausible"
    AT_RISK = "at_risk"
    NOT_PLAUSIBLE = "not_plausible"
    UNKNOWN = "unknown"


def plausibility_label(status: str) -> str:
    return {
        Plausibility.PLAUSIBLE: _("plausible"),
        Plausibility.AT_RISK: _("at risk"),
        Plausibility.NOT_PLAUSIBLE: _("not plausible"),
    }.get(status, _("unknown"))


@dataclass(frozen=True)
class Remaining:
    """The contamination left to release and when that figure stands."""

    area_m2: Decimal
    #: the end of this year (``None``: unknown)
    as_of_year: int | None
    by_hazard: dict[str, Decimal]
    source: Source


def remaining_of(request: RequestFacts, reports: Mapping[int, ReportYear]) -> Remaining | None:
    """The request's remaining contamination table; without one, the latest Article 7 Form C
    before the request. A request gives its figures as at the end of the year before it
    was submitted, as Article 7 reports do."""
    before = request.submitted_on.year if request.submitted_on else None
    if request.remaining:
        hazards: dict[str, Decimal] = {}
        for row in request.remaining:
            hazards[row.hazard] = hazards.get(row.hazard, ZERO) + row.area_m2
        as_of = before - 1 if before is not None else None
        if as_of is None and reports:
            as_of = max(reports)
        return Remaining(
            sum(hazards.values(), ZERO),
            as_of,
            hazards,
            request.source(
                "remaining",
                _("Extension request of %(state)s (version %(n)s): remaining contamination")
                % {"state": request.state_name, "n": request.version_number},
            ),
        )
    for year in sorted(reports, reverse=True):
        report = reports[year]
        if report.remaining_m2 is not None and (before is None or year < before):
            return Remaining(report.remaining_m2, year, {}, report.source)
    return None


@dataclass(frozen=True)
class YearRate:
    year: int
    released_m2: Decimal
    #: newly found (or re-surveyed, with its sign) in the year; ``None``: not reported
    newly_found_m2: Decimal | None
    source: Source


def observed_rates(
    request: RequestFacts, reports: Mapping[int, ReportYear], until_year: int | None
) -> tuple[str, list[YearRate]]:
    """The recent yearly release: Article 7 land release of up to ``WINDOW`` years among
    the ``SPAN`` years up to ``until_year``; else what the request says it achieved then.
    Returns the basis ("article7", "request" or "") and the years, oldest first."""

    def recent(years: list[int]) -> list[int]:
        if until_year is not None:
            years = [y for y in years if until_year - SPAN < y <= until_year]
        return sorted(years)[-WINDOW:]

    art7 = [
        YearRate(
            y, reports[y].released_total_m2 or ZERO, reports[y].newly_found_m2, reports[y].source
        )
        for y in recent([y for y, r in reports.items() if r.has_land_release])
    ]
    stated = {
        y: s
        for y, s in statement_by_year(request.previous_period).items()
        if s.achieved_m2 is not None
    }
    source = request.source(
        "previous_period",
        _("Extension request of %(state)s (version %(n)s): progress in the previous period")
        % {"state": request.state_name, "n": request.version_number},
    )
    by_request = [
        YearRate(
            y,
            stated[y].achieved_m2 or ZERO,
            reports[y].newly_found_m2 if y in reports and reports[y].has_form_c else None,
            source,
        )
        for y in recent(list(stated))
    ]
    if len(art7) >= MIN_YEARS or (art7 and len(art7) >= len(by_request)):
        return "article7", art7
    if by_request:
        return "request", by_request
    return "", []


def completion_year(remaining: Decimal, rate: Decimal | None, base_year: int) -> int | None:
    """The year the remaining area is released at ``rate`` a year from the end of
    ``base_year``; ``None`` when it never is (no rate, or none)."""
    if remaining <= 0:
        return base_year
    if rate is None or rate <= 0:
        return None
    return base_year + math.ceil(remaining / rate)


@dataclass(frozen=True)
class MilestoneYear:
    year: int
    total_m2: Decimal
    by_method: dict[str, Decimal]


@dataclass(frozen=True)
class MilestoneCoverage:
    """Whether the workplan releases the remaining contamination by the deadline."""

    #: milestones of this year and before count (the requested deadline's year)
    until_year: int | None
    years: list[MilestoneYear]
    total_m2: Decimal
    by_method: dict[str, Decimal]
    #: milestones planned after the deadline's year
    after_deadline_m2: Decimal
    remaining_m2: Decimal | None
    covers: bool | None
    shortfall_m2: Decimal | None
    source: Source | None


def milestone_coverage(request: RequestFacts, remaining: Remaining | None) -> MilestoneCoverage:
    deadline = request.requested_deadline
    until = deadline.year if deadline else None
    years = [
        MilestoneYear(year, sum(methods.values(), ZERO), methods)
        for year, methods in milestones_by_year(request.milestones).items()
    ]
    counted = [m for m in years if until is None or m.year <= until]
    by_method: dict[str, Decimal] = {}
    for m in counted:
        for method, area in m.by_method.items():
            by_method[method] = by_method.get(method, ZERO) + area
    total = sum((m.total_m2 for m in counted), ZERO)
    left = remaining.area_m2 if remaining else None
    covers = None if left is None or not years else total >= left
    return MilestoneCoverage(
        until_year=until,
        years=years,
        total_m2=total,
        by_method=by_method,
        after_deadline_m2=sum((m.total_m2 for m in years if m not in counted), ZERO),
        remaining_m2=left,
        covers=covers,
        shortfall_m2=max(left - total, ZERO) if left is not None and years else None,
        source=request.source(
            "milestones",
            _("Extension request of %(state)s (version %(n)s): workplan milestones")
            % {"state": request.state_name, "n": request.version_number},
        )
        if years
        else None,
    )


@dataclass(frozen=True)
class Projection:
    status: str
    status_label: str
    #: why, in a sentence with the figures
    reason: str
    remaining: Remaining | None
    #: where the rates come from: "article7", "request", or "" (none)
    basis: str
    rates: list[YearRate]
    slowest_m2_per_year: Decimal | None
    median_m2_per_year: Decimal | None
    fastest_m2_per_year: Decimal | None
    #: the year the work would end at the fastest, median and slowest rate (``None``: never)
    completion_year_earliest: int | None
    completion_year: int | None
    completion_year_latest: int | None
    requested_deadline: dt.date | None
    #: the yearly release the deadline needs from the end of the remaining figure's year
    required_m2_per_year: Decimal | None
    #: average yearly area newly found (or re-surveyed) over the years observed
    newly_found_m2_per_year: Decimal | None
    #: the year at the median rate less the areas newly found each year (``None``: never)
    completion_year_with_new_areas: int | None
    milestones: MilestoneCoverage
    sources: list[Source] = field(default_factory=list)


def project(request: RequestFacts, reports: Mapping[int, ReportYear]) -> Projection:
    remaining = remaining_of(request, reports)
    until = remaining.as_of_year if remaining else None
    basis, rates = observed_rates(request, reports, until)
    coverage = milestone_coverage(request, remaining)
    values = [r.released_m2 for r in rates]
    slowest = min(values) if values else None
    middle = median(values)
    fastest = max(values) if values else None
    found = [r.newly_found_m2 for r in rates if r.newly_found_m2 is not None]
    found_rate = sum(found, ZERO) / len(found) if found else None
    deadline = request.requested_deadline
    base = until if until is not None else (rates[-1].year if rates else None)
    sources = list(
        dict.fromkeys(
            [
                *([remaining.source] if remaining else []),
                *(r.source for r in rates),
                *([coverage.source] if coverage.source else []),
            ]
        )
    )

    def unknown(reason: str) -> Projection:
        return Projection(
            Plausibility.UNKNOWN,
            plausibility_label(Plausibility.UNKNOWN),
            reason,
            remaining,
            basis,
            rates,
            whole_m2(slowest),
            whole_m2(middle),
            whole_m2(fastest),
            None,
            None,
            None,
            deadline,
            None,
            whole_m2(found_rate),
            None,
            coverage,
            sources,
        )

    if remaining is None:
        return unknown(_("The remaining contamination is not known."))
    if len(rates) < MIN_YEARS or base is None:
        return unknown(
            _("Fewer than %(n)s years of land release are known: no rate to project from.")
            % {"n": MIN_YEARS}
        )
    assert middle is not None and slowest is not None and fastest is not None
    left = remaining.area_m2
    earliest = completion_year(left, fastest, base)
    central = completion_year(left, middle, base)
    latest = completion_year(left, slowest, base)
    net = middle - found_rate if found_rate is not None else None
    with_found = completion_year(left, net, base) if net is not None else None
    required = None
    if deadline is not None:
        years = Decimal((deadline - dt.date(base, 12, 31)).days) / DAYS_PER_YEAR
        required = whole_m2(left / years) if years > 0 else None
    if deadline is None:
        return unknown(_("The request gives no deadline to project against."))
    # a rate that never ends the work misses any deadline
    at_slowest = False if latest is None else ends_by(latest, deadline)
    at_median = False if central is None else ends_by(central, deadline)
    never = _("never")
    figures = {
        "median": grouped(middle),
        "central": central if central is not None else never,
        "earliest": earliest if earliest is not None else never,
        "latest": latest if latest is not None else never,
        "deadline": when(deadline),
    }
    if at_slowest:
        status = Plausibility.PLAUSIBLE
        reason = _(
            "Even at the slowest recent rate the remaining area is released by %(latest)s, "
            "within the deadline requested (%(deadline)s)."
        )
    elif at_median is False:
        status = Plausibility.NOT_PLAUSIBLE
        reason = _(
            "At the median recent rate (%(median)s m² a year) the work ends in %(central)s "
            "(range %(earliest)s to %(latest)s), after the deadline requested (%(deadline)s)."
        )
    else:
        status = Plausibility.AT_RISK
        reason = _(
            "At the median recent rate (%(median)s m² a year) the work ends in %(central)s, "
            "but at the slowest only in %(latest)s; the deadline requested is %(deadline)s."
        )
    return Projection(
        status,
        plausibility_label(status),
        reason % figures,
        remaining,
        basis,
        rates,
        whole_m2(slowest),
        whole_m2(middle),
        whole_m2(fastest),
        earliest,
        central,
        latest,
        deadline,
        required,
        whole_m2(found_rate),
        with_found,
        coverage,
        sources,
    )
