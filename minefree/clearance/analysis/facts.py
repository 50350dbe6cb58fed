"""What the analysis reads: plain, frozen data, built by the loader (``clearance.facts``)
or by hand in tests. Nothing here touches the database.

Every figure the analysis shows names its ``Source``: a table of a request's version, an
Article 7 report's version, the funding flows, the needs derived from the request, the
registry. A source says whether it is synthetic, so the result can say so too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


class SourceKind:
    REQUEST = "request"
    ARTICLE7 = "article7"
    FLOWS = "flows"
    NEEDS = "needs"
    REGISTRY = "registry"
    COOPERATION = "cooperation"


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: ``ref`` is stable (for machines), ``label`` is for people
    (in the language it was built in)."""

    kind: str
    ref: str
    label: str
    synthetic: bool = False


@dataclass(frozen=True)
class ProgressEntry:
    """A row of a request's "progress in the previous period" table, as the state gives it."""

    year: int
    planned_m2: Decimal | None
    achieved_m2: Decimal | None
    method: str = ""
    mine_type: str = ""


@dataclass(frozen=True)
class MilestoneEntry:
    year: int
    method: str
    area_m2: Decimal


@dataclass(frozen=True)
class BudgetEntry:
    year: int
    source: str
    amount: Decimal
    currency: str
    #: ``None`` where no exchange rate is known for the currency and year
    amount_usd: Decimal | None


@dataclass(frozen=True)
class RemainingEntry:
    region: str
    hazard: str
    area_m2: Decimal
    areas: int | None = None


@dataclass(frozen=True)
class RequirementFacts:
    """What a decision asked of the state, and whether it was met."""

    text: str
    due_on: dt.date | None
    met_on: dt.date | None


@dataclass(frozen=True)
class DecisionFacts:
    outcome: str
    decided_on: dt.date
    new_deadline: dt.date | None
    requirements: tuple[RequirementFacts, ...] = ()


@dataclass(frozen=True)
class RequestFacts:
    """One version of one request with its tables (the version analysed, or for an earlier
    request its latest submitted version)."""

    request_id: int
    state: str
    state_name: str
    version_id: int
    version_number: int
    synthetic: bool
    submitted_on: dt.date | None
    requested_deadline: dt.date | None
    remaining: tuple[RemainingEntry, ...] = ()
    previous_period: tuple[ProgressEntry, ...] = ()
    milestones: tuple[MilestoneEntry, ...] = ()
    budget: tuple[BudgetEntry, ...] = ()
    decision: DecisionFacts | None = None
    #: the registry's current Article 5 deadline of the state (unknown: ``None``)
    current_deadline: dt.date | None = None
    draft: bool = False

    def source(self, table: str, label: str) -> Source:
        """The source of a figure from ``table`` of this version."""
        return Source(
            SourceKind.REQUEST,
            f"extension-request:{self.request_id}/version:{self.version_number}/{table}",
            label,
            self.synthetic,
        )


@dataclass(frozen=True)
class ReportYear:
    """What one year's Article 7 report (its latest submitted version) says about clearance.

    ``released_m2`` holds Form C land release by method; ``has_land_release`` is false when
    the report has no land release row at all (not reported, which is not zero).
    """

    year: int
    report_version_id: int
    version_number: int
    synthetic: bool
    source: Source
    has_form_c: bool = False
    has_land_release: bool = False
    released_m2: dict[str, Decimal] = field(default_factory=dict)
    #: Form C remaining mined areas, summed (``None``: no row)
    remaining_m2: Decimal | None = None
    #: Form C newly found or re-surveyed areas, summed with their signs (0 when Form C is
    #: given without any)
    newly_found_m2: Decimal = Decimal(0)
    #: Form J challenges: (category, description)
    challenges: tuple[tuple[str, str], ...] = ()
    #: Form J national resources for survey and clearance (or for no stated pillar), in USD
    national_usd: Decimal | None = None
    #: national resources rows whose amount could not be converted to USD
    national_unpriced: int = 0

    @property
    def released_total_m2(self) -> Decimal | None:
        return sum(self.released_m2.values(), Decimal(0)) if self.has_land_release else None


@dataclass(frozen=True)
class ReceivedYear:
    """Funding flows to the state for survey and clearance in one year (``funding.totals``
    counting rules: each dollar once, one reporter per donor, recipient and year)."""

    year: int
    committed_usd: Decimal
    paid_usd: Decimal
    #: flows counted whose USD value is unknown: the sums are then lower bounds
    unknown: int = 0


@dataclass(frozen=True)
class NeedFacts:
    """A need of the state with its coverage (``funding.totals.need_progress``)."""

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


@dataclass(frozen=True)
class CaseFacts:
    case_id: int
    status: str
    status_label: str
    requested_on: dt.date | None
    pillars: tuple[str, ...]
    summary: str
    synthetic: bool


@dataclass(frozen=True)
class PlatformFacts:
    established_on: dt.date | None
    members: int
    meetings: tuple[dt.date, ...]
    #: the funding gap discussed at the latest meeting that gave one (USD)
    latest_funding_gap_usd: Decimal | None
    synthetic: bool


@dataclass(frozen=True)
class BilateralFacts:
    meeting_id: int
    held_on: dt.date
    committee: str
    topics: tuple[str, ...]
    synthetic: bool


@dataclass(frozen=True)
class StateFacts:
    """What the state's other records say, read for one request (already limited to what
    its reader may see and to the origins the request may use)."""

    reports: dict[int, ReportYear] = field(default_factory=dict)
    #: synthetic reports left out because the request is real
    left_out_synthetic_reports: int = 0
    received: dict[int, ReceivedYear] = field(default_factory=dict)
    received_synthetic: bool = False
    received_source: Source | None = None
    #: needs derived from this request (``source_ref`` "extension-request:<id>")
    derived_needs: tuple[NeedFacts, ...] = ()
    derived_needs_source: Source | None = None
    needs: tuple[NeedFacts, ...] = ()
    cases: tuple[CaseFacts, ...] = ()
    platform: PlatformFacts | None = None
    bilateral_meetings: tuple[BilateralFacts, ...] = ()
    cooperation_source: Source | None = None
