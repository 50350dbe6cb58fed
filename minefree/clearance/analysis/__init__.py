"""The analysis of an Article 5 extension request: plain functions over plain data.

The loader (``clearance.facts``, called by ``selectors.analyse`` / ``analyse_many``) reads
what a request's analysis needs in a fixed number of queries and builds the frozen
``facts`` dataclasses; ``analyse_facts`` turns them into an ``Analysis``. Nothing here
touches the database, so every computation is tested on hand-made data.

**Promise against result** (``period``). For each year of the previous period: what the
earlier request promised (its milestones, by method), what the request now says was
planned and achieved (its "progress in the previous period" table, optionally by method
or mine type), and what the year's Article 7 report gives (Form C land release by method,
the latest submitted version of the year's report). Percent of plan per year and over the
years where both figures are known. Two sources differing by more than 5 % of the larger
figure are flagged, as donor and recipient figures are in ``funding.totals``. Each earlier
request is checked the same way against the request that followed it.

**Projection** (``projection``). Remaining contamination: the request's table (as at the
end of the year before it was submitted), else the latest Article 7 Form C. Observed
yearly release: Article 7 land release of the latest 5 years that report it among the 10
years up to the remaining figure's year; with fewer than 2 such years, the request's own
"achieved" figures of those years. From the slowest, median and fastest of these years
the work ends in ``base year + ceil(remaining / rate)``; against the deadline requested:

* *plausible*: even at the slowest rate the work ends by the deadline;
* *at risk*: at the median rate it ends by the deadline, not at the slowest (or within the
  deadline's own year, whose day is not projected);
* *not plausible*: at the median rate it ends after the deadline (or never: no release);
* *unknown*: no remaining figure, fewer than 2 years of release, or no deadline. Unknown
  stays unknown: no figure is guessed.

The areas newly found (Form C, with the sign of re-surveys) average over the same years;
the median rate less that average gives the completion with new areas. The milestones up
to the deadline's year cover the remaining contamination or fall short by so much.

**Money** (``money``). Per year of the budget (USD at the year's ECB average; a line with
no rate is counted apart and makes the sums lower bounds): national, international
secured and sought; flows to the state for survey and clearance (committed and paid, the
counting rules of ``funding.totals``); the coverage of the needs derived from the request.
National share = national ÷ required. Gap = required − national − the larger of secured
(as the request states) and committed (flows). Cost per m²: payments for survey and
clearance plus Form J national resources, ÷ Article 7 land release, in past years where
both are known (no money on record is not a cost of zero); the highest, median and lowest
of the latest 5 give what an extra amount would release.

**Flags** (``flags``): behind plan, sources differ, deadline before projected completion,
workplan short of remaining contamination, contamination increased, years not fully
funded, no national funding, previous decision's requests not met; each with its reason,
figures and sources.

**Synthetic data.** A real request is analysed with real data only: synthetic Article 7
reports, flows, needs and cooperation records are left out (the reports left out are
counted). A synthetic (demo) request may use any report and record, and its money counts
synthetic flows only, as ``funding.totals`` keeps synthetic money apart; its result, and
any result that used a synthetic source, says ``synthetic``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from minefree.clearance.analysis.common import ZERO, Ratio, percent
from minefree.clearance.analysis.facts import (
    BilateralFacts,
    BudgetEntry,
    CaseFacts,
    DecisionFacts,
    MilestoneEntry,
    NeedFacts,
    PlatformFacts,
    ProgressEntry,
    ReceivedYear,
    RemainingEntry,
    ReportYear,
    RequestFacts,
    RequirementFacts,
    Source,
    SourceKind,
    StateFacts,
)
from minefree.clearance.analysis.flags import Flag, FlagCode, all_flags, flag_label
from minefree.clearance.analysis.money import (
    DEFAULT_EXTRA_USD,
    CostYear,
    ExtraRelease,
    Money,
    MoneyYear,
    extra_release,
    money_of,
)
from minefree.clearance.analysis.period import (
    Difference,
    PeriodComparison,
    PromiseCheck,
    YearComparison,
    check_promises,
    compare_period,
    statement_by_year,
)
from minefree.clearance.analysis.projection import (
    MIN_YEARS,
    SPAN,
    WINDOW,
    MilestoneCoverage,
    MilestoneYear,
    Plausibility,
    Projection,
    Remaining,
    YearRate,
    completion_year,
    project,
)
from minefree.reporting.specification.schema import FORMS


@dataclass(frozen=True)
class Challenge:
    """A challenge the state reported in Article 7 Form J."""

    year: int
    category: str
    category_label: str
    description: str
    source: Source


@dataclass(frozen=True)
class Context:
    """The cooperation around the request: what the seed calls "the impact of cooperation
    and assistance" on the state's capacity, shown beside the request."""

    cases: list[CaseFacts]
    platform: PlatformFacts | None
    bilateral_meetings: list[BilateralFacts]
    needs: list[NeedFacts]
    needs_by_status: dict[str, int]
    needs_required_usd: Decimal
    needs_committed_usd: Decimal
    needs_paid_usd: Decimal
    #: Form J challenges of the latest reports that give any
    challenges: list[Challenge]
    sources: list[Source] = field(default_factory=list)


def _challenge_labels() -> dict[str, str]:
    table = next(t for t in FORMS["J"].tables if t.code == "challenges")
    return {code: str(label) for code, label in table.field("category").choices}


def context_of(state: StateFacts, before_year: int | None) -> Context:
    labels = _challenge_labels()
    with_challenges = [
        y
        for y, r in sorted(state.reports.items())
        if r.challenges and (before_year is None or y < before_year)
    ][-3:]
    challenges = [
        Challenge(y, code, labels.get(code, code), text, state.reports[y].source)
        for y in with_challenges
        for code, text in state.reports[y].challenges
    ]
    statuses: dict[str, int] = {}
    for need in state.needs:
        statuses[need.status] = statuses.get(need.status, 0) + 1
    sources = [s for s in (state.cooperation_source,) if s is not None]
    sources += list(dict.fromkeys(c.source for c in challenges))
    return Context(
        cases=list(state.cases),
        platform=state.platform,
        bilateral_meetings=list(state.bilateral_meetings),
        needs=list(state.needs),
        needs_by_status=statuses,
        needs_required_usd=sum((n.required_usd or ZERO for n in state.needs), ZERO),
        needs_committed_usd=sum((n.committed_usd for n in state.needs), ZERO),
        needs_paid_usd=sum((n.paid_usd for n in state.needs), ZERO),
        challenges=challenges,
        sources=sources,
    )


@dataclass(frozen=True)
class Analysis:
    request_id: int
    state: str
    state_name: str
    version_number: int
    draft: bool
    #: anything synthetic used (the request, a report, flows, needs, cooperation records)
    synthetic: bool
    synthetic_parts: list[str]
    left_out_synthetic_reports: int
    submitted_on: dt.date | None
    requested_deadline: dt.date | None
    current_deadline: dt.date | None
    #: the request's previous period against the earlier request and Article 7
    previous_period: PeriodComparison
    #: each earlier request against the one that followed it, oldest first
    past_requests: list[PromiseCheck]
    projection: Projection
    money: Money
    context: Context
    flags: list[Flag]
    sources: list[Source]

    @property
    def flag_codes(self) -> list[str]:
        return [f.code for f in self.flags]


def analyse_facts(
    request: RequestFacts,
    earlier: Sequence[RequestFacts],
    state: StateFacts,
    *,
    today: dt.date,
    extra_usd: Decimal = DEFAULT_EXTRA_USD,
) -> Analysis:
    """The analysis of ``request`` (``earlier``: the state's earlier requests, oldest first)."""
    reports = state.reports
    before = request.submitted_on.year if request.submitted_on else None
    preceding = earlier[-1] if earlier else None
    period = compare_period(
        statement=request,
        promise=preceding,
        reports=reports,
        until_year=before - 1 if before is not None else None,
    )
    projection = project(request, reports)
    money = money_of(
        request,
        state.received,
        state.received_source,
        state.derived_needs,
        state.derived_needs_source,
        reports,
        extra_usd,
    )
    context = context_of(state, before)
    flags = all_flags(
        request=request,
        earlier=earlier,
        reports=reports,
        period=period,
        projection=projection,
        money=money,
        today=today,
    )
    sources = list(
        dict.fromkeys(
            [
                *period.sources,
                *projection.sources,
                *money.sources,
                *context.sources,
                *(s for f in flags for s in f.sources),
            ]
        )
    )
    parts = []
    if request.synthetic:
        parts.append("request")
    if any(s.synthetic for s in sources if s.kind == SourceKind.ARTICLE7):
        parts.append("article7")
    if state.received_synthetic and any(y.committed_usd or y.paid_usd for y in money.years):
        parts.append("flows")
    if any(n.synthetic for n in [*state.derived_needs, *state.needs]):
        parts.append("needs")
    if any(c.synthetic for c in state.cases) or (state.platform and state.platform.synthetic):
        parts.append("cooperation")
    if any(s.synthetic for s in sources) and not parts:
        parts.append("sources")
    return Analysis(
        request_id=request.request_id,
        state=request.state,
        state_name=request.state_name,
        version_number=request.version_number,
        draft=request.draft,
        synthetic=bool(parts),
        synthetic_parts=parts,
        left_out_synthetic_reports=state.left_out_synthetic_reports,
        submitted_on=request.submitted_on,
        requested_deadline=request.requested_deadline,
        current_deadline=request.current_deadline,
        previous_period=period,
        past_requests=check_promises(earlier, request, reports),
        projection=projection,
        money=money,
        context=context,
        flags=flags,
        sources=sources,
    )


def synthetic_note() -> str:
    return _("Synthetic demo data: invented, not a real request or report.")


__all__ = [
    "DEFAULT_EXTRA_USD",
    "MIN_YEARS",
    "SPAN",
    "WINDOW",
    "Analysis",
    "BilateralFacts",
    "BudgetEntry",
    "CaseFacts",
    "Challenge",
    "Context",
    "CostYear",
    "DecisionFacts",
    "Difference",
    "ExtraRelease",
    "Flag",
    "FlagCode",
    "MilestoneCoverage",
    "MilestoneEntry",
    "MilestoneYear",
    "Money",
    "MoneyYear",
    "NeedFacts",
    "PeriodComparison",
    "PlatformFacts",
    "Plausibility",
    "ProgressEntry",
    "Projection",
    "PromiseCheck",
    "Ratio",
    "ReceivedYear",
    "Remaining",
    "RemainingEntry",
    "ReportYear",
    "RequestFacts",
    "RequirementFacts",
    "Source",
    "SourceKind",
    "StateFacts",
    "YearComparison",
    "YearRate",
    "analyse_facts",
    "check_promises",
    "compare_period",
    "completion_year",
    "extra_release",
    "flag_label",
    "money_of",
    "percent",
    "project",
    "statement_by_year",
    "synthetic_note",
]
