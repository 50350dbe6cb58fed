"""Funding totals, coverage of needs and triangulation: the read side of flows.

Counting rules, so that every dollar is counted once:

* **Status.** ``pledged`` = pledges; ``committed`` = commitments, plus payments that carry
  forward no commitment (a payment straight after a pledge, or one reported after the fact
  such as Form J); ``paid`` = payments. A pledge split into yearly tranches counts through
  its tranches only.
* **Reporter.** The same money may be reported by the donor, the recipient and a third
  party (Landmine Monitor). For each donor, recipient, year and measure, one reporter's
  figures are used: the first of donor, recipient, third party that gave a USD value.
* **Chains.** Money passed through an intermediary is a chain of flows (``via``). A
  recipient's received total sums the flows into it, whatever their ``via``; an actor's
  provided total sums the flows out of it (an intermediary's includes what it passed on);
  a global total sums only flows with no ``via``, where the money first left a donor.
* **Synthetic data** is tallied apart (``synthetic``) and never enters a real total.
* **Unknown values** (no exchange rate, in kind) add nothing to sums and are counted in
  ``unknown`` so pages can say the total is incomplete.

Every selector reads in a fixed number of queries, whatever the number of flows or needs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minefree.assistance.models import Need
from minefree.assistance.selectors import Reader, visible
from minefree.core.models import Origin, Source, Visibility
from minefree.funding.models import Flow, FlowStatus, PublishedTotal, ReportedBy, TotalKind
from minefree.funding.support import sector_pillars
from minefree.registry.models import Actor

ZERO = Decimal(0)
#: a donor's and a recipient's figures further apart than this share of the larger differ
MISMATCH_TOLERANCE = Decimal("0.05")
REPORTER_PREFERENCE: dict[str, int] = {
    ReportedBy.DONOR: 0,
    ReportedBy.RECIPIENT: 1,
    ReportedBy.THIRD_PARTY: 2,
}
PLEDGED, COMMITTED, PAID = "pledged", "committed", "paid"


class NeedStatus:
    OPEN = "open"
    PARTLY_MET = "partly_met"
    MET = "met"
    LABELS: dict[str, Promise] = {
        "open": _("open"),
        "partly_met": _("partly met"),
        "met": _("met"),
    }


@dataclass
class Amounts:
    """USD sums per measure, with counts so in-kind and unknown values still show."""

    pledged_usd: Decimal = ZERO
    committed_usd: Decimal = ZERO
    paid_usd: Decimal = ZERO
    pledged_count: int = 0
    committed_count: int = 0
    paid_count: int = 0
    #: flows counted whose USD value is unknown: the sums are then lower bounds
    unknown: int = 0

    def add(self, measure: str, usd: Decimal | None, *, first: bool = True) -> None:
        """Add one flow to ``measure``; ``first`` is false when the flow was already counted
        under another measure (a payment is also a commitment), so unknowns count once."""
        setattr(self, f"{measure}_count", getattr(self, f"{measure}_count") + 1)
        if usd is None:
            self.unknown += first
        else:
            setattr(self, f"{measure}_usd", getattr(self, f"{measure}_usd") + usd)


class _Row(NamedTuple):
    pk: int
    donor_id: int
    recipient_id: int
    year: int
    status: str
    pillar: str
    reported_by: str
    amount_usd: Decimal | None
    origin: str
    follows_status: str | None
    need_id: int | None
    via_id: int | None
    source_id: int | None
    report_version_id: int | None


_ROW_FIELDS = (
    "pk",
    "donor_id",
    "recipient_id",
    "year",
    "status",
    "pillar",
    "reported_by",
    "amount_usd",
    "origin",
    "follows_status",
    "need_id",
    "via_id",
    "source_id",
    "report_version_id",
)


def counted(qs: QuerySet[Flow]) -> QuerySet[Flow]:
    """Flows that count: a pledge split into tranches is read through its tranches."""
    return qs.filter(~Exists(Flow.objects.filter(tranche_of=OuterRef("pk"))))


def _rows(qs: QuerySet[Flow]) -> list[_Row]:
    return [
        _Row(*values)
        for values in counted(qs)
        .annotate(follows_status=F("follows__status"))
        .values_list(*_ROW_FIELDS)
        .order_by()
    ]


def _measures(row: _Row) -> list[str]:
    if row.status == FlowStatus.PLEDGE:
        return [PLEDGED]
    if row.status == FlowStatus.COMMITMENT:
        return [COMMITTED]
    if row.follows_status == FlowStatus.COMMITMENT:
        return [PAID]
    return [COMMITTED, PAID]


def is_synthetic(origin: str) -> bool:
    return origin == Origin.SYNTHETIC


def _tally(
    rows: Iterable[_Row],
    key_of: Callable[[_Row], Hashable],
    scope_of: Callable[[_Row], Hashable] = lambda r: None,
) -> dict[Any, Amounts]:
    """Sum rows by ``key_of``, one reporter per donor, recipient, year, measure and scope."""
    groups: dict[tuple[Any, ...], dict[str, list[_Row]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        for measure in _measures(row):
            scope = (scope_of(row), row.donor_id, row.recipient_id, row.year, measure)
            groups[scope][row.reported_by].append(row)
    out: dict[Any, Amounts] = defaultdict(Amounts)
    for (*_scope, measure), by_reporter in groups.items():
        chosen = min(
            by_reporter,
            key=lambda rep: (
                all(r.amount_usd is None for r in by_reporter[rep]),
                REPORTER_PREFERENCE.get(rep, 9),
            ),
        )
        for row in by_reporter[chosen]:
            out[key_of(row)].add(measure, row.amount_usd, first=_measures(row)[0] == measure)
    return dict(out)


@dataclass
class YearPillarTotals:
    """Per (year, pillar) amounts; real and synthetic kept apart."""

    real: dict[tuple[int, str], Amounts] = field(default_factory=dict)
    synthetic: dict[tuple[int, str], Amounts] = field(default_factory=dict)

    def years(self, synthetic: bool = False) -> dict[int, Amounts]:
        """Totals per year, all pillars together."""
        out: dict[int, Amounts] = defaultdict(Amounts)
        for (year, _pillar), a in (self.synthetic if synthetic else self.real).items():
            total = out[year]
            for name in vars(a):
                setattr(total, name, getattr(total, name) + getattr(a, name))
        return dict(sorted(out.items(), reverse=True))


def _by_year_pillar(qs: QuerySet[Flow]) -> YearPillarTotals:
    return _year_pillar_totals(_rows(qs))


def _year_pillar_totals(rows: list[_Row]) -> YearPillarTotals:
    result = YearPillarTotals()
    for synthetic in (False, True):
        part = [r for r in rows if is_synthetic(r.origin) == synthetic]
        tally = _tally(part, lambda r: (r.year, r.pillar))
        setattr(result, "synthetic" if synthetic else "real", dict(sorted(tally.items())))
    return result


def received_by_year_pillar(state: Actor, who: Reader) -> YearPillarTotals:
    """What a state received, per year and pillar, whatever intermediaries it came through."""
    return _by_year_pillar(visible(Flow.objects.filter(recipient=state), who, "donor", "recipient"))


def received_by_year_pillar_of(
    state_ids: Iterable[int], who: Reader
) -> dict[int, YearPillarTotals]:
    """``received_by_year_pillar`` of many states at once, in one query (each state's
    totals counted apart, as one state's)."""
    ids = list(state_ids)
    qs = visible(Flow.objects.filter(recipient_id__in=ids), who, "donor", "recipient")
    by_state: dict[int, list[_Row]] = defaultdict(list)
    for row in _rows(qs) if ids else []:
        by_state[row.recipient_id].append(row)
    return {pk: _year_pillar_totals(by_state.get(pk, [])) for pk in ids}


def provided_by_year_pillar(actor: Actor, who: Reader) -> YearPillarTotals:
    """What a donor (or intermediary, including what it passed on) gave, per year and pillar."""
    return _by_year_pillar(visible(Flow.objects.filter(donor=actor), who, "donor", "recipient"))


@dataclass
class CounterpartLine:
    """What one donor gave one recipient in a year and pillar, with where it is recorded."""

    year: int
    pillar: str
    counterpart: Actor
    amounts: Amounts
    sources: list[Source]
    report_version_ids: list[int]


@dataclass
class CounterpartTotals:
    real: list[CounterpartLine]
    synthetic: list[CounterpartLine]


def _by_counterpart(qs: QuerySet[Flow], side: str) -> CounterpartTotals:
    """Per (year, pillar, counterpart): ``side`` is ``donor_id`` for what a state received,
    ``recipient_id`` for what an actor provided (3 queries)."""
    rows = _rows(qs)
    actors = Actor.objects.in_bulk({getattr(r, side) for r in rows})
    sources = Source.objects.in_bulk({r.source_id for r in rows if r.source_id})
    result = CounterpartTotals(real=[], synthetic=[])
    for synthetic in (False, True):
        part = [r for r in rows if is_synthetic(r.origin) == synthetic]
        tally = _tally(part, lambda r: (r.year, r.pillar, getattr(r, side)))
        where: dict[tuple[int, str, int], tuple[set[int], set[int]]] = defaultdict(
            lambda: (set(), set())
        )
        for r in part:
            found, versions = where[(r.year, r.pillar, getattr(r, side))]
            if r.source_id:
                found.add(r.source_id)
            if r.report_version_id:
                versions.add(r.report_version_id)
        lines = [
            CounterpartLine(
                year=year,
                pillar=pillar,
                counterpart=actors[counterpart],
                amounts=amounts,
                sources=[sources[i] for i in sorted(where[(year, pillar, counterpart)][0])],
                report_version_ids=sorted(where[(year, pillar, counterpart)][1]),
            )
            for (year, pillar, counterpart), amounts in tally.items()
        ]
        lines.sort(key=lambda line: (-line.year, line.counterpart.name_en, line.pillar))
        setattr(result, "synthetic" if synthetic else "real", lines)
    return result


def received_by_donor(state: Actor, who: Reader) -> CounterpartTotals:
    """What a state received, per year, donor and pillar, each line with its sources."""
    flows = visible(Flow.objects.filter(recipient=state), who, "donor", "recipient")
    return _by_counterpart(flows, "donor_id")


def provided_by_recipient(actor: Actor, who: Reader) -> CounterpartTotals:
    """What an actor provided, per year, recipient and pillar, each line with its sources."""
    flows = visible(Flow.objects.filter(donor=actor), who, "donor", "recipient")
    return _by_counterpart(flows, "recipient_id")


# --- needs ------------------------------------------------------------------------------


class _WithAmounts:
    """A line that shows its ``amounts``' figures as its own."""

    amounts: Amounts

    @property
    def committed_usd(self) -> Decimal:
        return self.amounts.committed_usd

    @property
    def paid_usd(self) -> Decimal:
        return self.amounts.paid_usd

    @property
    def pledged_usd(self) -> Decimal:
        return self.amounts.pledged_usd


@dataclass
class NeedProgress(_WithAmounts):
    need_id: int
    required_usd: Decimal | None
    amounts: Amounts
    status: str

    @property
    def status_label(self) -> str:
        return str(NeedStatus.LABELS[self.status])


def need_status(required_usd: Decimal | None, amounts: Amounts) -> str:
    """Met when payments reach the amount asked; partly met once anything is committed.

    A need without a USD amount (in kind, or a currency without a rate) is met by any
    payment and partly met by any commitment.
    """
    if required_usd is not None and required_usd > 0:
        if amounts.paid_usd >= required_usd:
            return NeedStatus.MET
    elif amounts.paid_count:
        return NeedStatus.MET
    if amounts.committed_count or amounts.paid_count:
        return NeedStatus.PARTLY_MET
    return NeedStatus.OPEN


def need_progress(needs: Iterable[Need], who: Reader | None = None) -> dict[int, NeedProgress]:
    """Progress of many needs in one query.

    Only flows the reader may see count (``who=None``: public flows only, so a confidential
    pledge's amount never shows through a need's status). A real need counts real flows; a
    synthetic (demo) need counts synthetic ones.
    """
    by_id = {n.pk: n for n in needs}
    qs = Flow.objects.filter(need_id__in=list(by_id))
    qs = (
        visible(qs, who, "donor", "recipient")
        if who is not None
        else qs.filter(visibility=Visibility.PUBLIC)
    )
    rows = [
        r
        for r in (_rows(qs) if by_id else [])
        if r.need_id is not None and is_synthetic(r.origin) == is_synthetic(by_id[r.need_id].origin)
    ]
    tally = _tally(rows, lambda r: r.need_id, scope_of=lambda r: r.need_id)
    out = {}
    for pk, need in by_id.items():
        amounts = tally.get(pk, Amounts())
        out[pk] = NeedProgress(pk, need.amount_usd, amounts, need_status(need.amount_usd, amounts))
    return out


@dataclass
class CoverageYear(_WithAmounts):
    year: int
    required_usd: Decimal = ZERO
    #: needs of the year with no USD amount (in kind, or no rate): required is a lower bound
    unpriced_needs: int = 0
    amounts: Amounts = field(default_factory=Amounts)

    @property
    def gap_usd(self) -> Decimal:
        """Required but not yet committed (never below zero)."""
        return max(self.required_usd - self.amounts.committed_usd, ZERO)


@dataclass
class StateCoverage:
    real: list[CoverageYear]
    synthetic: list[CoverageYear]


def state_coverage(state: Actor, who: Reader) -> StateCoverage:
    """Per year of a need: what the state's needs require against what was committed and paid.

    Only years with a recorded need are listed: "required 0, gap 0" for a year nobody
    recorded a need in would claim a need was met that nobody stated.

    A need over several years requires an equal share of its amount in each. Committed and
    paid are everything the state received in the year (through any intermediary), linked
    to a need or not: support arrives without always naming the need it meets.
    """
    received = received_by_year_pillar(state, who)
    needs = visible(Need.objects.filter(state=state), who, "state").values_list(
        "year_from", "year_to", "amount_usd", "origin"
    )
    result = StateCoverage(real=[], synthetic=[])
    for synthetic in (False, True):
        years: dict[int, CoverageYear] = {}
        for year_from, year_to, amount_usd, origin in needs:
            if is_synthetic(origin) != synthetic:
                continue
            span = range(year_from, year_to + 1)
            for year in span:
                line = years.setdefault(year, CoverageYear(year))
                if amount_usd is None:
                    line.unpriced_needs += 1
                else:
                    line.required_usd += (amount_usd / len(span)).quantize(Decimal("0.01"))
        for year, amounts in received.years(synthetic).items():
            if year in years:  # a year with no need recorded has nothing to cover
                years[year].amounts = amounts
        lines = [years[y] for y in sorted(years, reverse=True)]
        if synthetic:
            result.synthetic = lines
        else:
            result.real = lines
    return result


# --- triangulation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """A donor and a recipient who report different payments for the same year."""

    donor: Actor
    recipient: Actor
    year: int
    donor_usd: Decimal
    recipient_usd: Decimal
    synthetic: bool = False

    @property
    def gap_usd(self) -> Decimal:
        return abs(self.donor_usd - self.recipient_usd)

    @property
    def gap_ratio(self) -> Decimal:
        """The gap as a share of the larger figure."""
        larger = max(self.donor_usd, self.recipient_usd)
        return (self.gap_usd / larger).quantize(Decimal("0.0001")) if larger else Decimal(0)


def triangulation_mismatches(
    who: Reader, year: int | None = None, *, include_synthetic: bool = False
) -> list[Mismatch]:
    """Donor-reported against recipient-reported payments, largest gap first.

    Only pairs both sides reported (with a USD value) are compared; a gap within
    ``MISMATCH_TOLERANCE`` of the larger figure is rounding or exchange rates, not a mismatch.
    Synthetic flows are compared among themselves only, and only on request.
    """
    qs = Flow.objects.filter(
        status=FlowStatus.PAID,
        reported_by__in=[ReportedBy.DONOR, ReportedBy.RECIPIENT],
        amount_usd__isnull=False,
    )
    if year is not None:
        qs = qs.filter(year=year)
    if not include_synthetic:
        qs = qs.exclude(origin=Origin.SYNTHETIC)
    sums: dict[tuple[bool, int, int, int], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for donor_id, recipient_id, flow_year, reporter, usd, origin in (
        counted(visible(qs, who, "donor", "recipient"))
        .values_list("donor_id", "recipient_id", "year", "reported_by", "amount_usd", "origin")
        .order_by()
    ):
        sums[(is_synthetic(origin), donor_id, recipient_id, flow_year)][reporter] += usd or ZERO
    found = []
    for (synthetic, donor_id, recipient_id, flow_year), by in sums.items():
        if ReportedBy.DONOR not in by or ReportedBy.RECIPIENT not in by:
            continue
        d, r = by[ReportedBy.DONOR], by[ReportedBy.RECIPIENT]
        if abs(d - r) > MISMATCH_TOLERANCE * max(d, r):
            found.append((synthetic, donor_id, recipient_id, flow_year, d, r))
    actors = Actor.objects.in_bulk({f[1] for f in found} | {f[2] for f in found})
    mismatches = [
        Mismatch(actors[d_id], actors[r_id], y, d, r, synthetic)
        for synthetic, d_id, r_id, y, d, r in found
    ]
    return sorted(mismatches, key=lambda m: (-m.gap_usd, -m.year, m.donor.name_en))


def pledges_awaiting_follow_up(who: Reader, *, include_synthetic: bool = False) -> QuerySet[Flow]:
    """Pledges no commitment or payment has carried forward yet, oldest first."""
    qs = counted(
        visible(Flow.objects.filter(status=FlowStatus.PLEDGE), who, "donor", "recipient")
    ).filter(~Exists(Flow.objects.filter(follows=OuterRef("pk"))))
    if not include_synthetic:
        qs = qs.exclude(origin=Origin.SYNTHETIC)
    return qs.select_related("donor", "recipient").order_by("year", "created_at", "pk")


# --- published totals -------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedComparison:
    """A published total beside the sum of the loaded rows it should match."""

    total: PublishedTotal
    #: ``None`` when no loaded rows are comparable (e.g. a total over a list of donors)
    loaded_usd: Decimal | None
    unknown: int = 0

    @property
    def gap_usd(self) -> Decimal | None:
        if self.loaded_usd is None or self.total.amount_usd is None:
            return None
        return self.total.amount_usd - self.loaded_usd


def totals_against_published(year: int | None = None) -> list[PublishedComparison]:
    """Each published total beside the paid sum of the public, real flows it covers.

    Global and international totals sum flows with no ``via``; a donor's total its flows
    out, a recipient's its flows in; a sector total the flows of the sector's pillars.
    Other totals (top fives, groups) have no comparable sum.
    """
    totals = PublishedTotal.objects.select_related("donor", "recipient", "source")
    if year is not None:
        totals = totals.filter(year=year)
    totals_list = list(totals)
    years = {t.year for t in totals_list}
    qs = Flow.objects.filter(year__in=years, visibility=Visibility.PUBLIC).exclude(
        origin=Origin.SYNTHETIC
    )
    rows = _rows(qs) if years else []
    out = []
    for total in totals_list:
        if not _comparable(total):
            out.append(PublishedComparison(total, None))
            continue
        covered = [r for r in rows if r.year == total.year and _covers(total, r)]
        amounts = _tally(covered, lambda r: 0).get(0, Amounts())
        out.append(PublishedComparison(total, amounts.paid_usd, amounts.unknown))
    return out


def _comparable(total: PublishedTotal) -> bool:
    if total.kind in (TotalKind.GLOBAL, TotalKind.INTERNATIONAL):
        return True
    if total.kind == TotalKind.DONOR:
        return total.donor_id is not None
    if total.kind == TotalKind.RECIPIENT:
        return total.recipient_id is not None
    return total.kind == TotalKind.SECTOR and bool(sector_pillars(total.sector))


def _covers(total: PublishedTotal, row: _Row) -> bool:
    if total.kind == TotalKind.DONOR:
        return row.donor_id == total.donor_id
    if total.kind == TotalKind.RECIPIENT:
        return row.recipient_id == total.recipient_id
    if total.kind == TotalKind.SECTOR:
        return row.via_id is None and row.pillar in sector_pillars(total.sector)
    return row.via_id is None


# --- carrying a flow forward ------------------------------------------------------------


def left_to_carry(flows: list[Flow]) -> dict[int, Decimal | None]:
    """What remains of each flow to commit or pay (None: carried forward in full); one query."""
    carried: dict[int, tuple[Decimal, int]] = {f.pk: (Decimal(0), 0) for f in flows}
    rows = Flow.objects.filter(follows_id__in=list(carried)).values_list("follows_id", "amount")
    for follows_id, amount in rows.order_by():
        total, count = carried[follows_id]
        carried[follows_id] = (total + amount, count + 1)
    return {f.pk: remaining_to_carry(f, *carried[f.pk]) for f in flows}


def remaining_to_carry(flow: Flow, carried: Decimal, followers: int) -> Decimal | None:
    """What is left of ``flow`` to commit or pay; None once it is carried forward in full.

    Support of unstated value (amount 0) is carried forward once, whatever the amount.
    """
    if flow.amount == 0:
        return None if followers else Decimal(0)
    left = flow.amount - carried
    return left if left > 0 else None
