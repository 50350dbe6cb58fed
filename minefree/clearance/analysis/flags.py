"""Flags: what the committees should look at, each with its code, label, reason and the
figures (and sources) behind it. A flag is raised on known figures only: an unknown never
raises one, and never clears one either (the pages show what is unknown)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from minefree.clearance.analysis.common import ZERO, grouped
from minefree.clearance.analysis.facts import ReportYear, RequestFacts, Source
from minefree.clearance.analysis.money import Money
from minefree.clearance.analysis.period import PeriodComparison
from minefree.clearance.analysis.projection import SPAN, WINDOW, Plausibility, Projection


class FlagCode:
    BEHIND_PLAN = "behind_plan"
    SOURCES_DIFFER = "sources_differ"
    UNFUNDED_YEARS = "unfunded_years"
    DEADLINE_BEFORE_COMPLETION = "deadline_before_projected_completion"
    CONTAMINATION_INCREASED = "contamination_increased"
    NO_NATIONAL_FUNDING = "no_national_funding"
    WORKPLAN_SHORT = "workplan_short"
    REQUIREMENTS_NOT_MET = "requirements_not_met"


def flag_label(code: str) -> str:
    return {
        FlagCode.BEHIND_PLAN: _("Behind plan"),
        FlagCode.SOURCES_DIFFER: _("Sources differ"),
        FlagCode.UNFUNDED_YEARS: _("Years not fully funded"),
        FlagCode.DEADLINE_BEFORE_COMPLETION: _("Deadline before projected completion"),
        FlagCode.CONTAMINATION_INCREASED: _("Contamination increased"),
        FlagCode.NO_NATIONAL_FUNDING: _("No national funding"),
        FlagCode.WORKPLAN_SHORT: _("Workplan short of remaining contamination"),
        FlagCode.REQUIREMENTS_NOT_MET: _("Previous decision's requests not met"),
    }.get(code, code)


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    reason: str
    #: the figures behind the reason, by name (numbers, years, dates as ISO text)
    figures: dict[str, Any]
    sources: list[Source] = field(default_factory=list)


def _flag(code: str, reason: str, figures: dict[str, Any], sources: Sequence[Source]) -> Flag:
    return Flag(code, flag_label(code), reason, figures, list(dict.fromkeys(sources)))


def _m2(value: Decimal) -> str:
    return grouped(value)


def behind_plan(period: PeriodComparison) -> Flag | None:
    """Released less than planned over the previous period, by any known measure."""
    measures = {
        "stated": period.stated,
        "stated_against_promise": period.stated_against_promise,
        "article7_against_plan": period.article7_against_plan,
    }
    behind = {name: r for name, r in measures.items() if r.behind}
    if not behind:
        return None
    worst = min(behind.values(), key=lambda r: r.percent or ZERO)
    return _flag(
        FlagCode.BEHIND_PLAN,
        _(
            "Over %(years)s years of the previous period, %(achieved)s m² released against "
            "%(planned)s m² planned (%(percent)s%%)."
        )
        % {
            "years": len(worst.years),
            "achieved": _m2(worst.achieved_m2),
            "planned": _m2(worst.planned_m2),
            "percent": worst.percent,
        },
        {
            **{
                f"{name}_percent": r.percent
                for name, r in measures.items()
                if r.percent is not None
            },
            "behind_years": period.behind_years,
        },
        period.sources,
    )


def sources_differ(period: PeriodComparison) -> Flag | None:
    differences = period.differences
    if not differences:
        return None
    return _flag(
        FlagCode.SOURCES_DIFFER,
        _("The sources give different figures for %(n)s of the years (%(years)s).")
        % {
            "n": len({y for y, _d in differences}),
            "years": ", ".join(str(y) for y in sorted({y for y, _d in differences})),
        },
        {
            "differences": [
                {"year": y, "code": d.code, "first_m2": d.first_m2, "second_m2": d.second_m2}
                for y, d in differences
            ]
        },
        period.sources,
    )


def unfunded_years(money: Money) -> Flag | None:
    if not money.unfunded_years:
        return None
    gaps = {y.year: y.gap_usd for y in money.years if y.year in money.unfunded_years}
    return _flag(
        FlagCode.UNFUNDED_YEARS,
        _(
            "%(n)s years of the workplan are not covered by national funding, funding "
            "secured or commitments: USD %(gap)s missing in all."
        )
        % {"n": len(gaps), "gap": grouped(sum((g or ZERO for g in gaps.values()), ZERO))},
        {"gap_usd_by_year": {str(y): g for y, g in gaps.items()}},
        money.sources,
    )


def deadline_before_completion(projection: Projection) -> Flag | None:
    if projection.status != Plausibility.NOT_PLAUSIBLE:
        return None
    return _flag(
        FlagCode.DEADLINE_BEFORE_COMPLETION,
        projection.reason,
        {
            "requested_deadline": projection.requested_deadline.isoformat()
            if projection.requested_deadline
            else None,
            "completion_year": projection.completion_year,
            "completion_year_earliest": projection.completion_year_earliest,
            "completion_year_latest": projection.completion_year_latest,
            "median_m2_per_year": projection.median_m2_per_year,
            "required_m2_per_year": projection.required_m2_per_year,
        },
        projection.sources,
    )


def contamination_increased(
    request: RequestFacts,
    earlier: Sequence[RequestFacts],
    reports: dict[int, ReportYear],
    projection: Projection,
) -> Flag | None:
    """The remaining contamination now against the earlier request's (else the earliest
    Article 7 figure of the recent years)."""
    remaining = projection.remaining
    if remaining is None:
        return None
    before: tuple[Decimal, Source, str] | None = None
    preceding = earlier[-1] if earlier else None
    if preceding is not None and preceding.remaining:
        before = (
            sum((r.area_m2 for r in preceding.remaining), ZERO),
            preceding.source("remaining", _("Earlier extension request: remaining contamination")),
            preceding.submitted_on.isoformat() if preceding.submitted_on else "",
        )
    elif remaining.as_of_year is not None:
        years = [
            y
            for y, r in reports.items()
            if r.remaining_m2 is not None and remaining.as_of_year - SPAN < y < remaining.as_of_year
        ]
        if years:
            first = sorted(years)[-WINDOW:][0]
            report = reports[first]
            assert report.remaining_m2 is not None
            before = (report.remaining_m2, report.source, str(first))
    if before is None or remaining.area_m2 <= before[0]:
        return None
    found = sum((r.newly_found_m2 for r in projection.rates if r.newly_found_m2), ZERO)
    return _flag(
        FlagCode.CONTAMINATION_INCREASED,
        _("The remaining contamination grew from %(before)s m² (%(when)s) to %(now)s m².")
        % {"before": _m2(before[0]), "when": before[2], "now": _m2(remaining.area_m2)},
        {
            "before_m2": before[0],
            "now_m2": remaining.area_m2,
            "newly_found_m2_in_recent_years": found,
        },
        [before[1], remaining.source],
    )


def no_national_funding(money: Money, request: RequestFacts) -> Flag | None:
    if not request.budget or money.national_usd > 0:
        return None
    if any(line.source == "national" and line.amount > 0 for line in request.budget):
        return None  # national lines whose USD value is unknown are still national money
    return _flag(
        FlagCode.NO_NATIONAL_FUNDING,
        _("The workplan's budget has no national funding (USD %(total)s required in all).")
        % {"total": grouped(money.required_usd or ZERO)},
        {"required_usd": money.required_usd, "national_usd": money.national_usd},
        money.sources[:1],
    )


def workplan_short(projection: Projection) -> Flag | None:
    coverage = projection.milestones
    if coverage.covers is not False:
        return None
    assert coverage.remaining_m2 is not None and coverage.shortfall_m2 is not None
    sources = [coverage.source] if coverage.source else []
    if projection.remaining:
        sources.append(projection.remaining.source)
    return _flag(
        FlagCode.WORKPLAN_SHORT,
        _(
            "The milestones up to %(year)s release %(planned)s m² of the %(remaining)s m² "
            "remaining: %(short)s m² short."
        )
        % {
            "year": coverage.until_year or "—",
            "planned": _m2(coverage.total_m2),
            "remaining": _m2(coverage.remaining_m2),
            "short": _m2(coverage.shortfall_m2),
        },
        {
            "milestones_m2": coverage.total_m2,
            "remaining_m2": coverage.remaining_m2,
            "shortfall_m2": coverage.shortfall_m2,
            "after_deadline_m2": coverage.after_deadline_m2,
        },
        sources,
    )


def requirements_not_met(earlier: Sequence[RequestFacts], today: dt.date) -> Flag | None:
    """Requests of earlier decisions not recorded as met, once due (or with no due date)."""
    open_items = [
        (request, item)
        for request in earlier
        if request.decision is not None
        for item in request.decision.requirements
        if item.met_on is None and (item.due_on is None or item.due_on < today)
    ]
    if not open_items:
        return None
    return _flag(
        FlagCode.REQUIREMENTS_NOT_MET,
        _("%(n)s of the requests of earlier decisions are not recorded as met.")
        % {"n": len(open_items)},
        {
            "requirements": [
                {
                    "request_id": request.request_id,
                    "text": item.text,
                    "due_on": item.due_on.isoformat() if item.due_on else None,
                }
                for request, item in open_items
            ]
        },
        [
            request.source("decision", _("Decision on an earlier extension request"))
            for request, _item in open_items
        ],
    )


def all_flags(
    *,
    request: RequestFacts,
    earlier: Sequence[RequestFacts],
    reports: dict[int, ReportYear],
    period: PeriodComparison,
    projection: Projection,
    money: Money,
    today: dt.date,
) -> list[Flag]:
    found = [
        behind_plan(period),
        sources_differ(period),
        deadline_before_completion(projection),
        workplan_short(projection),
        contamination_increased(request, earlier, reports, projection),
        unfunded_years(money),
        no_national_funding(money, request),
        requirements_not_met(earlier, today),
    ]
    return [f for f in found if f is not None]
