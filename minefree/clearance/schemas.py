"""API shapes of extension requests and their analysis (reads).

Areas are in m² and money in USD, as decimals written as strings (as every amount of the
API); ``null`` is unknown, never zero. Every figure of the analysis names its sources.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from minefree.core.schemas import PageQuery


class ExtensionRequestQuery(PageQuery):
    state: str = Field("", description="ISO 3166 alpha-3 code")
    status: str = Field(
        "", description="draft, submitted, under_analysis, analysis_published or decided"
    )
    year: int | None = Field(None, ge=1999, le=2100, description="Year of a submission")


class ExtensionRequestSummaryOut(Schema):
    id: int
    state: str
    state_name: str
    status: str
    origin: str = Field(description="`synthetic` marks invented demo data")
    version: int | None = Field(description="The current version's number")
    submitted_on: dt.date | None
    requested_deadline: dt.date | None
    current_deadline: dt.date | None = Field(
        description="The registry's current Article 5 deadline of the state"
    )
    outcome: str | None = Field(description="The decision's outcome, once decided")


class ExtensionRequestListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ExtensionRequestSummaryOut]


class RequestRemainingOut(Schema):
    region: str
    hazard: str
    areas: int | None
    area_m2: Decimal


class RequestProgressOut(Schema):
    year: int
    method: str
    mine_type: str
    planned_m2: Decimal | None
    achieved_m2: Decimal | None


class RequestMilestoneOut(Schema):
    year: int
    method: str
    areas: int | None
    area_m2: Decimal


class RequestBudgetOut(Schema):
    year: int
    source: str
    amount: Decimal
    currency: str
    amount_usd: Decimal | None


class RequestCapacityOut(Schema):
    year: int
    teams: int | None
    deminers: int | None
    dogs: int | None
    machines: int | None


class RequestVersionSummaryOut(Schema):
    number: int
    status: str
    reason: str
    submitted_on: dt.date | None
    submitted_at: dt.datetime | None


class RequestVersionOut(RequestVersionSummaryOut):
    requested_deadline: dt.date | None
    language: str
    narratives: dict[str, str]
    remaining: list[RequestRemainingOut]
    previous_period: list[RequestProgressOut]
    milestones: list[RequestMilestoneOut]
    budget: list[RequestBudgetOut]
    capacity: list[RequestCapacityOut]


class RequestQuestionOut(Schema):
    id: int
    version: int
    text: str
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class DecisionRequirementOut(Schema):
    text: str
    due_on: dt.date | None
    met_on: dt.date | None
    met_note: str


class ExtensionDecisionOut(Schema):
    outcome: str
    decided_on: dt.date
    new_deadline: dt.date | None
    meeting: str | None = Field(description="The meeting's code, e.g. 22MSP")
    notes: str
    requirements: list[DecisionRequirementOut]


class AnalysisTextOut(Schema):
    number: int
    status: str
    published_at: dt.datetime | None
    sections: dict[str, str]


class ExtensionRequestDetailOut(ExtensionRequestSummaryOut):
    current: RequestVersionOut | None = Field(
        description="The version shown: the draft for the state's people and ISU staff while "
        "there is one, else the latest submitted. Its version is the ETag."
    )
    versions: list[RequestVersionSummaryOut]
    questions: list[RequestQuestionOut]
    decision: ExtensionDecisionOut | None
    analyses: list[AnalysisTextOut]


# --- the analysis ------------------------------------------------------------------------


class AnalysisSourceOut(Schema):
    kind: str = Field(description="request, article7, flows, needs, registry or cooperation")
    ref: str = Field(
        description="e.g. extension-request:12/version:2/milestones, report-version:345"
    )
    label: str
    synthetic: bool


class AnalysisDifferenceOut(Schema):
    code: str
    label: str
    first_m2: Decimal
    second_m2: Decimal
    gap_m2: Decimal


class AnalysisPeriodRowOut(Schema):
    year: int
    planned_m2: Decimal | None = Field(description="As the request states")
    achieved_m2: Decimal | None = Field(description="As the request states")
    percent_of_plan: Decimal | None
    promised_m2: Decimal | None = Field(description="The earlier request's milestones")
    promised_by_method: dict[str, Decimal]
    achieved_by_method: dict[str, Decimal]
    achieved_by_mine_type: dict[str, Decimal]
    percent_of_plan_by_mine_type: dict[str, Decimal]
    article7_m2: Decimal | None = Field(description="Form C land release in the year's report")
    article7_by_method: dict[str, Decimal]
    article7_percent_of_plan: Decimal | None
    differences: list[AnalysisDifferenceOut]
    sources: list[AnalysisSourceOut]


class AnalysisRatioOut(Schema):
    achieved_m2: Decimal
    planned_m2: Decimal
    percent: Decimal | None
    years: list[int]


class AnalysisPeriodTotalsOut(Schema):
    stated: AnalysisRatioOut = Field(description="Achieved against planned, as the request states")
    stated_against_promise: AnalysisRatioOut
    article7_against_plan: AnalysisRatioOut
    promise_request_id: int | None
    behind_years: list[int]
    sources: list[AnalysisSourceOut]


class AnalysisPromiseCheckOut(Schema):
    request_id: int
    version_number: int
    submitted_on: str | None
    outcome: str
    next_request_id: int | None
    rows: list[AnalysisPeriodRowOut]
    totals: AnalysisPeriodTotalsOut


class AnalysisRemainingOut(Schema):
    area_m2: Decimal
    as_of_year: int | None
    by_hazard: dict[str, Decimal]
    source: AnalysisSourceOut


class AnalysisYearRateOut(Schema):
    year: int
    released_m2: Decimal
    newly_found_m2: Decimal | None
    source: AnalysisSourceOut


class AnalysisMilestoneYearOut(Schema):
    year: int
    total_m2: Decimal
    by_method: dict[str, Decimal]


class AnalysisCoverageOut(Schema):
    until_year: int | None
    years: list[AnalysisMilestoneYearOut]
    total_m2: Decimal
    by_method: dict[str, Decimal]
    after_deadline_m2: Decimal
    remaining_m2: Decimal | None
    covers: bool | None
    shortfall_m2: Decimal | None
    source: AnalysisSourceOut | None


class AnalysisProjectionOut(Schema):
    status: str = Field(description="plausible, at_risk, not_plausible or unknown")
    status_label: str
    reason: str
    remaining: AnalysisRemainingOut | None
    basis: str = Field(description="article7, request, or empty when no rate is known")
    rates: list[AnalysisYearRateOut]
    slowest_m2_per_year: Decimal | None
    median_m2_per_year: Decimal | None
    fastest_m2_per_year: Decimal | None
    completion_year_earliest: int | None
    completion_year: int | None
    completion_year_latest: int | None
    requested_deadline: dt.date | None
    required_m2_per_year: Decimal | None
    newly_found_m2_per_year: Decimal | None
    completion_year_with_new_areas: int | None
    milestones: AnalysisCoverageOut
    sources: list[AnalysisSourceOut]


class AnalysisMoneyYearOut(Schema):
    year: int
    required_usd: Decimal | None
    national_usd: Decimal
    secured_usd: Decimal
    sought_usd: Decimal
    unpriced_lines: int
    committed_usd: Decimal
    paid_usd: Decimal
    flows_unknown: int
    needs_required_usd: Decimal | None
    needs_committed_usd: Decimal
    needs_paid_usd: Decimal
    national_share: Decimal | None
    gap_usd: Decimal | None
    sources: list[AnalysisSourceOut]


class AnalysisCostYearOut(Schema):
    year: int
    released_m2: Decimal
    international_paid_usd: Decimal
    national_usd: Decimal | None
    spent_usd: Decimal
    usd_per_m2: Decimal
    sources: list[AnalysisSourceOut]


class AnalysisExtraReleaseOut(Schema):
    amount_usd: Decimal
    least_m2: Decimal
    median_m2: Decimal
    most_m2: Decimal
    years: list[int]


class AnalysisMoneyOut(Schema):
    years: list[AnalysisMoneyYearOut]
    required_usd: Decimal | None
    national_usd: Decimal
    secured_usd: Decimal
    sought_usd: Decimal
    committed_usd: Decimal
    paid_usd: Decimal
    gap_usd: Decimal | None
    national_share: Decimal | None
    unpriced_lines: int
    unfunded_years: list[int]
    cost: list[AnalysisCostYearOut]
    cost_per_m2_low: Decimal | None
    cost_per_m2_median: Decimal | None
    cost_per_m2_high: Decimal | None
    extra: AnalysisExtraReleaseOut | None
    sources: list[AnalysisSourceOut]


class AnalysisCaseOut(Schema):
    case_id: int
    status: str
    status_label: str
    requested_on: dt.date | None
    pillars: list[str]
    summary: str
    synthetic: bool


class AnalysisPlatformOut(Schema):
    established_on: dt.date | None
    members: int
    meetings: list[dt.date]
    latest_funding_gap_usd: Decimal | None
    synthetic: bool


class AnalysisBilateralOut(Schema):
    meeting_id: int
    held_on: dt.date
    committee: str
    topics: list[str]
    synthetic: bool


class AnalysisNeedOut(Schema):
    need_id: int
    title: str
    pillar: str
    year_from: int
    year_to: int
    required_usd: Decimal | None
    committed_usd: Decimal
    paid_usd: Decimal
    status: str
    source_kind: str
    source_ref: str
    synthetic: bool


class AnalysisChallengeOut(Schema):
    year: int
    category: str
    category_label: str
    description: str
    source: AnalysisSourceOut


class AnalysisContextOut(Schema):
    cases: list[AnalysisCaseOut]
    platform: AnalysisPlatformOut | None
    bilateral_meetings: list[AnalysisBilateralOut]
    needs: list[AnalysisNeedOut]
    needs_by_status: dict[str, int]
    needs_required_usd: Decimal
    needs_committed_usd: Decimal
    needs_paid_usd: Decimal
    challenges: list[AnalysisChallengeOut]
    sources: list[AnalysisSourceOut]


class AnalysisFlagOut(Schema):
    code: str = Field(
        description="behind_plan, sources_differ, deadline_before_projected_completion, "
        "workplan_short, contamination_increased, unfunded_years, no_national_funding, "
        "requirements_not_met"
    )
    label: str
    reason: str
    figures: dict[str, Any]
    sources: list[AnalysisSourceOut]


class ExtensionAnalysisOut(Schema):
    request_id: int
    state: str
    state_name: str
    version_number: int
    draft: bool
    synthetic: bool = Field(description="Something synthetic (demo) data was used")
    synthetic_parts: list[str]
    left_out_synthetic_reports: int = Field(
        description="Synthetic reports not used for a real request"
    )
    submitted_on: dt.date | None
    requested_deadline: dt.date | None
    current_deadline: dt.date | None
    previous_period: list[AnalysisPeriodRowOut] = Field(
        description="Per year: planned and achieved as the request states, percent of plan, "
        "the earlier request's milestones and the Article 7 land release"
    )
    previous_period_totals: AnalysisPeriodTotalsOut
    past_requests: list[AnalysisPromiseCheckOut]
    projection: AnalysisProjectionOut
    money: AnalysisMoneyOut
    context: AnalysisContextOut
    flags: list[AnalysisFlagOut]
    sources: list[AnalysisSourceOut]


class ExtensionAnalysisQuery(Schema):
    extra_usd: Decimal = Field(
        Decimal(1_000_000),
        ge=0,
        le=Decimal(10) ** 12,
        description="What this amount more would release at the observed cost (money.extra)",
    )
