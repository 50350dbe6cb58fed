"""Money: what the workplan needs per year against what is committed and paid, the
national share, the yearly gap; the cost of a square metre released in past years, and
what an extra amount would release at that cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from minefree.clearance.analysis.common import ZERO, cents, median, percent, whole_m2
from minefree.clearance.analysis.facts import (
    NeedFacts,
    ReceivedYear,
    ReportYear,
    RequestFacts,
    Source,
)
from minefree.clearance.analysis.projection import WINDOW

NATIONAL = "national"
SECURED = "international_secured"
SOUGHT = "international_sought"
#: the example of "what an extra amount would release" when none is asked for
DEFAULT_EXTRA_USD = Decimal(1_000_000)


@dataclass(frozen=True)
class MoneyYear:
    """One year of the workplan's budget against the money on record."""

    year: int
    #: every budget line of the year in USD (``None``: no line could be converted)
    required_usd: Decimal | None
    national_usd: Decimal
    #: international funding the request says is secured, and what it seeks
    secured_usd: Decimal
    sought_usd: Decimal
    #: budget lines without a USD value (no exchange rate): the sums are lower bounds
    unpriced_lines: int
    #: flows to the state for survey and clearance in the year (funding's counting rules)
    committed_usd: Decimal
    paid_usd: Decimal
    flows_unknown: int
    #: the needs derived from this request's funding sought for the year, and their coverage
    needs_required_usd: Decimal | None
    needs_committed_usd: Decimal
    needs_paid_usd: Decimal
    #: national budget as a percentage of the year's budget
    national_share: Decimal | None
    #: what is neither national nor covered (secured as stated, or committed if more)
    gap_usd: Decimal | None
    sources: list[Source]


@dataclass(frozen=True)
class CostYear:
    """What a square metre released cost in one past year, where money and area are known."""

    year: int
    released_m2: Decimal
    international_paid_usd: Decimal
    #: Form J national resources for survey and clearance (``None``: not reported)
    national_usd: Decimal | None
    spent_usd: Decimal
    usd_per_m2: Decimal
    sources: list[Source]


@dataclass(frozen=True)
class ExtraRelease:
    """What ``amount_usd`` would release at the highest, median and lowest observed cost."""

    amount_usd: Decimal
    least_m2: Decimal
    median_m2: Decimal
    most_m2: Decimal
    years: tuple[int, ...]


@dataclass(frozen=True)
class Money:
    years: list[MoneyYear]
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
    cost: list[CostYear]
    cost_per_m2_low: Decimal | None
    cost_per_m2_median: Decimal | None
    cost_per_m2_high: Decimal | None
    extra: ExtraRelease | None
    sources: list[Source] = field(default_factory=list)


def cost_years(
    reports: Mapping[int, ReportYear],
    received: Mapping[int, ReceivedYear],
    received_source: Source | None,
    before_year: int | None,
) -> list[CostYear]:
    """Years before ``before_year`` where land was released (Article 7) and money for
    survey and clearance is on record (payments, and national resources from Form J)."""
    out = []
    for year in sorted(reports):
        report = reports[year]
        released = report.released_total_m2
        if released is None or released <= 0 or (before_year is not None and year >= before_year):
            continue
        paid = received[year].paid_usd if year in received else ZERO
        spent = paid + (report.national_usd or ZERO)
        if spent <= 0:
            continue  # no money on record is not money spent
        sources = [report.source]
        if paid and received_source is not None:
            sources.append(received_source)
        out.append(
            CostYear(
                year,
                released,
                paid,
                report.national_usd,
                spent,
                (spent / released).quantize(Decimal("0.0001")),
                sources,
            )
        )
    return out


def extra_release(money: Money, amount_usd: Decimal) -> ExtraRelease | None:
    """What ``amount_usd`` more would release at the observed cost per m² (the recent
    years' highest, median and lowest); ``None`` when no cost is known."""
    if money.cost_per_m2_high is None or money.cost_per_m2_low is None:
        return None
    assert money.cost_per_m2_median is not None
    return ExtraRelease(
        amount_usd,
        whole_m2(amount_usd / money.cost_per_m2_high) or ZERO,
        whole_m2(amount_usd / money.cost_per_m2_median) or ZERO,
        whole_m2(amount_usd / money.cost_per_m2_low) or ZERO,
        tuple(c.year for c in money.cost[-WINDOW:]),
    )


def money_of(
    request: RequestFacts,
    received: Mapping[int, ReceivedYear],
    received_source: Source | None,
    derived_needs: Sequence[NeedFacts],
    needs_source: Source | None,
    reports: Mapping[int, ReportYear],
    extra_usd: Decimal = DEFAULT_EXTRA_USD,
) -> Money:
    budget_source = request.source(
        "budget",
        _("Extension request of %(state)s (version %(n)s): budget")
        % {"state": request.state_name, "n": request.version_number},
    )
    by_year: dict[int, list[tuple[str, Decimal | None]]] = {}
    for line in request.budget:
        by_year.setdefault(line.year, []).append((line.source, line.amount_usd))
    needs_by_year: dict[int, list[NeedFacts]] = {}
    for need in derived_needs:
        for year in range(need.year_from, need.year_to + 1):
            needs_by_year.setdefault(year, []).append(need)
    years = []
    for year, lines in sorted(by_year.items()):
        priced = [(source, usd) for source, usd in lines if usd is not None]
        required = sum((usd for _s, usd in priced), ZERO) if priced else None
        national, secured, sought = (
            sum((usd for s, usd in priced if s == kind), ZERO)
            for kind in (NATIONAL, SECURED, SOUGHT)
        )
        flows = received.get(year, ReceivedYear(year, ZERO, ZERO))
        needs = needs_by_year.get(year, [])
        spans = [n.year_to - n.year_from + 1 for n in needs]
        needs_required = (
            sum(
                ((n.required_usd or ZERO) / span for n, span in zip(needs, spans, strict=True)),
                ZERO,
            )
            if needs and any(n.required_usd is not None for n in needs)
            else None
        )
        gap = (
            max(required - national - max(secured, flows.committed_usd), ZERO)
            if required is not None
            else None
        )
        sources = [budget_source]
        if (flows.committed_usd or flows.paid_usd) and received_source is not None:
            sources.append(received_source)
        if needs and needs_source is not None:
            sources.append(needs_source)
        years.append(
            MoneyYear(
                year=year,
                required_usd=required,
                national_usd=national,
                secured_usd=secured,
                sought_usd=sought,
                unpriced_lines=len(lines) - len(priced),
                committed_usd=flows.committed_usd,
                paid_usd=flows.paid_usd,
                flows_unknown=flows.unknown,
                needs_required_usd=cents(needs_required),
                needs_committed_usd=sum(
                    (n.committed_usd / s for n, s in zip(needs, spans, strict=True)), ZERO
                ).quantize(Decimal("0.01")),
                needs_paid_usd=sum(
                    (n.paid_usd / s for n, s in zip(needs, spans, strict=True)), ZERO
                ).quantize(Decimal("0.01")),
                national_share=percent(national, required),
                gap_usd=gap,
                sources=sources,
            )
        )
    before = request.submitted_on.year if request.submitted_on else None
    cost = cost_years(reports, received, received_source, before)
    recent = [c.usd_per_m2 for c in cost[-WINDOW:]]
    required_all = [y.required_usd for y in years if y.required_usd is not None]
    required_total = sum(required_all, ZERO) if required_all else None
    national_total = sum((y.national_usd for y in years), ZERO)
    gaps = [y.gap_usd for y in years if y.gap_usd is not None]
    money = Money(
        years=years,
        required_usd=required_total,
        national_usd=national_total,
        secured_usd=sum((y.secured_usd for y in years), ZERO),
        sought_usd=sum((y.sought_usd for y in years), ZERO),
        committed_usd=sum((y.committed_usd for y in years), ZERO),
        paid_usd=sum((y.paid_usd for y in years), ZERO),
        gap_usd=sum(gaps, ZERO) if gaps else None,
        national_share=percent(national_total, required_total),
        unpriced_lines=sum(y.unpriced_lines for y in years),
        unfunded_years=[y.year for y in years if y.gap_usd is not None and y.gap_usd > 0],
        cost=cost,
        cost_per_m2_low=min(recent) if recent else None,
        cost_per_m2_median=median(recent),
        cost_per_m2_high=max(recent) if recent else None,
        extra=None,
        sources=list(
            dict.fromkeys(
                [s for y in years for s in y.sources] + [s for c in cost for s in c.sources]
            )
        ),
    )
    return replace(money, extra=extra_release(money, extra_usd))
