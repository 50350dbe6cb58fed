"""Promise against result: what a request promised for each year (its workplan's
milestones), what the next request says was planned and achieved (its "progress in the
previous period" table), and what the state's Article 7 reports give for those years
(Form C land release by method), side by side, with their differences flagged."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from minefree.clearance.analysis.common import (
    ZERO,
    Ratio,
    differ,
    known_sum,
    percent,
    ratio,
)
from minefree.clearance.analysis.facts import (
    MilestoneEntry,
    ProgressEntry,
    ReportYear,
    RequestFacts,
    Source,
)

METHODS = ("cancelled", "reduced", "cleared")


@dataclass(frozen=True)
class YearStatement:
    """One year of a request's "progress in the previous period", its rows put together."""

    planned_m2: Decimal | None
    achieved_m2: Decimal | None
    achieved_by_method: dict[str, Decimal] = field(default_factory=dict)
    achieved_by_mine_type: dict[str, Decimal] = field(default_factory=dict)


def statement_by_year(rows: Iterable[ProgressEntry]) -> dict[int, YearStatement]:
    """The year's figures from its rows. A row with neither method nor mine type is the
    year's total; without one, the rows by method add up to it, else the rows by mine type,
    else every row. Rows by method or by mine type also give the breakdowns."""
    by_year: dict[int, list[ProgressEntry]] = defaultdict(list)
    for row in rows:
        by_year[row.year].append(row)
    out = {}
    for year, entries in sorted(by_year.items()):
        totals = [r for r in entries if not r.method and not r.mine_type]
        by_method = [r for r in entries if r.method and not r.mine_type]
        by_type = [r for r in entries if r.mine_type and not r.method]
        chosen = totals or by_method or by_type or entries
        methods: dict[str, Decimal] = defaultdict(Decimal)
        for r in by_method:
            if r.achieved_m2 is not None:
                methods[r.method] += r.achieved_m2
        types: dict[str, Decimal] = defaultdict(Decimal)
        for r in by_type:
            if r.achieved_m2 is not None:
                types[r.mine_type] += r.achieved_m2
        out[year] = YearStatement(
            planned_m2=known_sum(r.planned_m2 for r in chosen),
            achieved_m2=known_sum(r.achieved_m2 for r in chosen),
            achieved_by_method=dict(methods),
            achieved_by_mine_type=dict(types),
        )
    return out


def milestones_by_year(rows: Iterable[MilestoneEntry]) -> dict[int, dict[str, Decimal]]:
    """The workplan's area per year and method."""
    out: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        out[row.year][row.method] += row.area_m2
    return {year: dict(methods) for year, methods in sorted(out.items())}


@dataclass(frozen=True)
class Difference:
    """Two sources that give different figures for the same year."""

    code: str
    label: str
    first_m2: Decimal
    second_m2: Decimal

    @property
    def gap_m2(self) -> Decimal:
        return self.second_m2 - self.first_m2


def _differences(
    promised: Decimal | None,
    planned: Decimal | None,
    achieved: Decimal | None,
    art7: Decimal | None,
) -> list[Difference]:
    found = []
    if differ(achieved, art7):
        assert achieved is not None and art7 is not None
        found.append(
            Difference(
                "achieved_differs_from_article7",
                _("The area the request says was released differs from the Article 7 report."),
                achieved,
                art7,
            )
        )
    if differ(promised, planned):
        assert promised is not None and planned is not None
        found.append(
            Difference(
                "plan_differs_from_milestones",
                _("The plan the request states differs from the earlier request's milestones."),
                promised,
                planned,
            )
        )
    return found


@dataclass(frozen=True)
class YearComparison:
    """One year: promised (earlier milestones), planned and achieved (as the request states),
    released (Article 7), with percentages and differences."""

    year: int
    promised_m2: Decimal | None
    promised_by_method: dict[str, Decimal]
    planned_m2: Decimal | None
    achieved_m2: Decimal | None
    #: achieved as stated against planned as stated
    percent_of_plan: Decimal | None
    achieved_by_method: dict[str, Decimal]
    achieved_by_mine_type: dict[str, Decimal]
    #: each mine type's area achieved against the year's plan (as requests tabulate it)
    percent_of_plan_by_mine_type: dict[str, Decimal]
    article7_m2: Decimal | None
    article7_by_method: dict[str, Decimal]
    #: Article 7 land release against the plan as stated (else the promise)
    article7_percent_of_plan: Decimal | None
    differences: list[Difference]
    sources: list[Source]


@dataclass(frozen=True)
class PeriodComparison:
    """A period year by year and overall."""

    rows: list[YearComparison]
    #: achieved against planned, both as the request states (the request's own percentage)
    stated: Ratio
    #: achieved as stated against the earlier request's milestones
    stated_against_promise: Ratio
    #: Article 7 land release against the plan (as stated, else the promise)
    article7_against_plan: Ratio
    #: the earlier request whose milestones are the promise (``None``: none on record)
    promise_request_id: int | None
    sources: list[Source]

    @property
    def differences(self) -> list[tuple[int, Difference]]:
        return [(row.year, d) for row in self.rows for d in row.differences]

    @property
    def behind_years(self) -> list[int]:
        """Years released less than planned, by the request's figures or Article 7's."""
        return [
            row.year
            for row in self.rows
            if any(
                p is not None and p < 100
                for p in (row.percent_of_plan, row.article7_percent_of_plan)
            )
        ]


def compare_period(
    *,
    statement: RequestFacts | None,
    promise: RequestFacts | None,
    reports: dict[int, ReportYear],
    until_year: int | None = None,
) -> PeriodComparison:
    """The years ``statement`` reports on (its previous period) and those ``promise`` planned
    up to ``until_year``, with the Article 7 figures of each year.

    ``statement`` is the request that reports on the period; ``promise`` the earlier
    request whose milestones covered it (either may be unknown).
    """
    stated = statement_by_year(statement.previous_period) if statement else {}
    promised = milestones_by_year(promise.milestones) if promise else {}
    years = set(stated) | {y for y in promised if until_year is None or y <= until_year}
    stated_source = (
        statement.source(
            "previous_period",
            _("Extension request of %(state)s (version %(n)s): progress in the previous period")
            % {"state": statement.state_name, "n": statement.version_number},
        )
        if statement and stated
        else None
    )
    promise_source = (
        promise.source(
            "milestones",
            _("Earlier extension request of %(state)s (version %(n)s): workplan milestones")
            % {"state": promise.state_name, "n": promise.version_number},
        )
        if promise and promised
        else None
    )
    rows = []
    for year in sorted(years):
        line = stated.get(year)
        plan = promised.get(year)
        report = reports.get(year)
        art7 = report.released_total_m2 if report else None
        promised_m2 = sum(plan.values(), ZERO) if plan else None
        planned = line.planned_m2 if line else None
        achieved = line.achieved_m2 if line else None
        sources = [
            s
            for s, used in (
                (promise_source, plan),
                (stated_source, line),
                (report.source if report else None, art7 is not None),
            )
            if s is not None and used
        ]
        rows.append(
            YearComparison(
                year=year,
                promised_m2=promised_m2,
                promised_by_method=dict(plan or {}),
                planned_m2=planned,
                achieved_m2=achieved,
                percent_of_plan=percent(achieved, planned),
                achieved_by_method=dict(line.achieved_by_method) if line else {},
                achieved_by_mine_type=dict(line.achieved_by_mine_type) if line else {},
                percent_of_plan_by_mine_type={
                    kind: share
                    for kind, area in (line.achieved_by_mine_type if line else {}).items()
                    if (share := percent(area, planned)) is not None
                },
                article7_m2=art7,
                article7_by_method=dict(report.released_m2) if report and art7 is not None else {},
                article7_percent_of_plan=percent(
                    art7, planned if planned is not None else promised_m2
                ),
                differences=_differences(promised_m2, planned, achieved, art7),
                sources=sources,
            )
        )
    return PeriodComparison(
        rows=rows,
        stated=ratio((r.year, r.achieved_m2, r.planned_m2) for r in rows),
        stated_against_promise=ratio((r.year, r.achieved_m2, r.promised_m2) for r in rows),
        article7_against_plan=ratio(
            (r.year, r.article7_m2, r.planned_m2 if r.planned_m2 is not None else r.promised_m2)
            for r in rows
        ),
        promise_request_id=promise.request_id if promise and promised else None,
        sources=_unique(s for r in rows for s in r.sources),
    )


@dataclass(frozen=True)
class PromiseCheck:
    """One earlier request's workplan against what followed it."""

    request_id: int
    version_number: int
    submitted_on: str | None
    outcome: str
    #: the request that reported on its period (``None``: none on record yet)
    next_request_id: int | None
    comparison: PeriodComparison


def check_promises(
    earlier: Sequence[RequestFacts], current: RequestFacts, reports: dict[int, ReportYear]
) -> list[PromiseCheck]:
    """Each earlier request (oldest first) against the request that followed it."""
    chain = [*earlier, current]
    checks = []
    for promise, following in itertools.pairwise(chain):
        until = following.submitted_on.year - 1 if following.submitted_on else None
        checks.append(
            PromiseCheck(
                request_id=promise.request_id,
                version_number=promise.version_number,
                submitted_on=promise.submitted_on.isoformat() if promise.submitted_on else None,
                outcome=promise.decision.outcome if promise.decision else "",
                next_request_id=following.request_id,
                comparison=compare_period(
                    statement=following, promise=promise, reports=reports, until_year=until
                ),
            )
        )
    return checks


def _unique(sources: Iterable[Source]) -> list[Source]:
    return list(dict.fromkeys(sources))
