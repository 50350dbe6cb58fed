"""The key challenges: how many States Parties reported each category of challenge, per
year, with the share of the states that reported that year, ranked, and each number leading
to the passages behind it.

The counting rule (also shown on the page):

* a passage counts for a category when its label for that category is stated (Form J's
  own kind of challenge), confirmed by a committee member or ISU staff, or suggested by
  the classifier and not rejected; a rejected label never counts, and "no challenge
  stated" is not a challenge;
* a state counts once per year per category, however many passages name it, from any
  source the reader may read (reports, extension requests, documents): what a reader may
  not read is never counted for them;
* the share is over the States Parties that submitted an Article 7 report for that year:
  of those, how many named the category that year (a state that named it only elsewhere
  is in the count, not in the share);
* synthetic demo data (``origin`` synthetic, passages and reports alike) is counted
  apart, against the synthetic reports, and labelled wherever shown;
* the ranking follows the number of state-years that named each category over the years
  chosen, and each year has its own rank: which category comes first is computed from the
  data, never written in.

Every function reads in a fixed number of queries whatever the number of passages: the
counting is done by the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from minefree.core.models import Origin
from minefree.knowledge.models import LabelStatus, Passage, PassageLabel
from minefree.knowledge.selectors import passages_for
from minefree.knowledge.taxonomy import BY_CODE, CHALLENGE_CODES, label
from minefree.reporting.models import Article7Report, VersionStatus

#: the statuses of a label that count (a stated label is a suggestion with method "stated")
COUNTED = (LabelStatus.SUGGESTED, LabelStatus.CONFIRMED)
REPORTED, SYNTHETIC = "reported", "synthetic"


@dataclass(frozen=True)
class ChallengeFilters:
    """What the reader chose: a range of years, a region, a state (ISO alpha-3)."""

    year_from: int | None = None
    year_to: int | None = None
    region: str = ""
    state: str = ""

    def __post_init__(self) -> None:
        """A range given backwards is read forwards (2024 to 2020 is 2020 to 2024)."""
        if self.year_from is not None and self.year_to is not None:
            low, high = sorted((self.year_from, self.year_to))
            object.__setattr__(self, "year_from", low)
            object.__setattr__(self, "year_to", high)

    def query(self, **extra: Any) -> dict[str, Any]:
        """The filters as URL parameters (those set), for links to the drill-down."""
        params: dict[str, Any] = {
            "year_from": self.year_from,
            "year_to": self.year_to,
            "region": self.region,
            "state": self.state,
        } | extra
        return {k: v for k, v in params.items() if v not in (None, "")}


@dataclass
class YearCount:
    """One category in one year: the states that named it, and their share of the
    reporting states."""

    year: int
    states: int = 0
    reporting_named: int = 0
    reporting: int = 0
    rank: int | None = None

    @property
    def share(self) -> float | None:
        """Of the states that reported this year, the fraction that named the category."""
        return self.reporting_named / self.reporting if self.reporting else None

    @property
    def share_pct(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)


@dataclass
class CategoryLine:
    code: str
    name: str
    definition: str
    years: list[YearCount]
    total: int = 0  # state-years over the years chosen
    rank: int = 0


@dataclass
class ChallengeTable:
    """The ranking of one kind of data (reported, or synthetic demo data)."""

    origin: str
    years: list[int]
    reporting: dict[int, int]
    lines: list[CategoryLine] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return self.origin == SYNTHETIC

    @property
    def leader(self) -> CategoryLine | None:
        return self.lines[0] if self.lines and self.lines[0].total else None


def _synthetic_case(origin_field: str) -> Case:
    return Case(
        When(**{origin_field: Origin.SYNTHETIC}, then=Value(SYNTHETIC)),
        default=Value(REPORTED),
    )


def _filtered(qs: QuerySet[Passage], filters: ChallengeFilters) -> QuerySet[Passage]:
    qs = qs.filter(state__isnull=False, year__isnull=False)
    if filters.year_from is not None:
        qs = qs.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        qs = qs.filter(year__lte=filters.year_to)
    if filters.region:
        qs = qs.filter(state__region=filters.region)
    if filters.state:
        qs = qs.filter(state__iso3=filters.state.upper())
    return qs


def counted_labels(user: Any, filters: ChallengeFilters) -> QuerySet[PassageLabel]:
    """The labels that count under the rule, of the passages ``user`` may read."""
    readable = _filtered(passages_for(user), filters)
    return PassageLabel.objects.filter(
        passage__in=readable.values("pk"),
        category__in=CHALLENGE_CODES,
        status__in=COUNTED,
    )


def reporting_states(filters: ChallengeFilters) -> dict[tuple[str, int], int]:
    """(origin, year) → how many states submitted an Article 7 report for that year (one
    query; synthetic reports apart)."""
    reports = Article7Report.objects.filter(
        versions__status=VersionStatus.SUBMITTED, state__isnull=False
    )
    if filters.year_from is not None:
        reports = reports.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        reports = reports.filter(year__lte=filters.year_to)
    if filters.region:
        reports = reports.filter(state__region=filters.region)
    if filters.state:
        reports = reports.filter(state__iso3=filters.state.upper())
    rows = (
        reports.annotate(data=_synthetic_case("origin"))
        .values("data", "year")
        .annotate(n=Count("state", distinct=True))
        .order_by()
    )
    return {(row["data"], row["year"]): row["n"] for row in rows}


def key_challenges(user: Any, filters: ChallengeFilters) -> list[ChallengeTable]:
    """The ranking tables (reported data first, then synthetic demo data where there is
    some), in two queries."""
    submitted = Article7Report.objects.filter(
        state_id=OuterRef("passage__state_id"),
        year=OuterRef("passage__year"),
        versions__status=VersionStatus.SUBMITTED,
    )
    rows = (
        counted_labels(user, filters)
        .annotate(data=_synthetic_case("passage__origin"), reported=Exists(submitted))
        .values("data", "passage__year", "category")
        .annotate(
            states=Count("passage__state", distinct=True),
            reporting_named=Coalesce(
                Count("passage__state", distinct=True, filter=Q(reported=True)), 0
            ),
        )
        .order_by()
    )
    counts: dict[str, dict[tuple[str, int], tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        key = (row["category"], row["passage__year"])
        counts[row["data"]][key] = (row["states"], row["reporting_named"])
    reporting = reporting_states(filters)
    tables = []
    for kind in (REPORTED, SYNTHETIC):
        found = counts.get(kind, {})
        by_year = {year: n for (k, year), n in reporting.items() if k == kind}
        if not found and not by_year:
            continue
        years = _years(filters, {y for _c, y in found} | set(by_year))
        tables.append(_table(kind, years, by_year, found))
    return tables


def _years(filters: ChallengeFilters, seen: Iterable[int]) -> list[int]:
    seen = sorted(seen)
    if not seen:
        return []
    first = filters.year_from if filters.year_from is not None else seen[0]
    last = filters.year_to if filters.year_to is not None else seen[-1]
    return list(range(max(first, seen[0]), min(last, seen[-1]) + 1))


def _rank(values: dict[str, int]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) of the categories with a count above zero."""
    ordered = sorted((n for n in values.values() if n), reverse=True)
    return {code: ordered.index(n) + 1 for code, n in values.items() if n}


def _table(
    kind: str,
    years: list[int],
    reporting: dict[int, int],
    found: dict[tuple[str, int], tuple[int, int]],
) -> ChallengeTable:
    table = ChallengeTable(origin=kind, years=years, reporting=reporting)
    for code in CHALLENGE_CODES:
        line_years = []
        for year in years:
            states, named = found.get((code, year), (0, 0))
            line_years.append(YearCount(year, states, named, reporting.get(year, 0)))
        category = BY_CODE[code]
        table.lines.append(
            CategoryLine(
                code=code,
                name=label(code),
                definition=str(category.definition),
                years=line_years,
                total=sum(y.states for y in line_years),
            )
        )
    for index in range(len(years)):
        ranks = _rank({line.code: line.years[index].states for line in table.lines})
        for line in table.lines:
            line.years[index].rank = ranks.get(line.code)
    totals = _rank({line.code: line.total for line in table.lines})
    for line in table.lines:
        line.rank = totals.get(line.code, 0)
    table.lines.sort(key=lambda line: (-line.total, CHALLENGE_CODES.index(line.code)))
    return table


def evidence(
    user: Any, category: str, filters: ChallengeFilters, data: str = ""
) -> QuerySet[Passage]:
    """The passages behind a number: readable, in the filters, with a label of
    ``category`` that counts; newest first. ``data`` "synthetic" keeps the synthetic demo
    passages only, "reported" the others (as the two tables count them)."""
    qs = _filtered(passages_for(user), filters).filter(
        labels__category=category, labels__status__in=COUNTED
    )
    if data == SYNTHETIC:
        qs = qs.filter(origin=Origin.SYNTHETIC)
    elif data == REPORTED:
        qs = qs.exclude(origin=Origin.SYNTHETIC)
    return qs.order_by("-year", "state__name_en", "source_kind", "source_id", "position")


# --- one state's challenges, for the committee's pages -----------------------------------------


@dataclass
class StateChallenge:
    """A category a state reported: the years it did, and passages that say so."""

    code: str
    name: str
    years: list[int]
    synthetic: bool
    evidence: list[Passage] = field(default_factory=list)

    @property
    def latest(self) -> int:
        return self.years[0]


#: the passages shown per category on a state's page (the latest year's)
EVIDENCE_SHOWN = 3


def state_challenges(
    user: Any, state: Any, years: Iterable[int] | None = None
) -> list[StateChallenge]:
    """The categories ``state`` reported (under the counting rule, in what ``user`` may
    read), most recent first, each with its years and up to three passages of its latest
    year as evidence; two queries whatever the number of passages."""
    wanted = sorted(set(years)) if years is not None else None
    base = counted_labels(
        user,
        ChallengeFilters(
            year_from=wanted[0] if wanted else None,
            year_to=wanted[-1] if wanted else None,
            state=state.iso3 or "",
        ),
    ).filter(passage__state=state)
    if wanted is not None:
        base = base.filter(passage__year__in=wanted)
    rows = (
        base.annotate(data=_synthetic_case("passage__origin"))
        .values("category", "passage__year", "data")
        .distinct()
        .order_by()
    )
    found: dict[str, StateChallenge] = {}
    for row in rows:
        code = row["category"]
        item = found.setdefault(code, StateChallenge(code, label(code), [], synthetic=True))
        if row["passage__year"] not in item.years:
            item.years.append(row["passage__year"])
        item.synthetic = item.synthetic and row["data"] == SYNTHETIC
    if not found:
        return []
    latest_q = Q()
    for item in found.values():
        item.years.sort(reverse=True)
        latest_q |= Q(category=item.code, passage__year=item.latest)
    labels = (
        base.filter(latest_q)
        .select_related("passage", "passage__state")
        .order_by("category", "passage__source_kind", "passage__source_id", "passage__position")
    )
    for found_label in labels:
        item = found[found_label.category]
        if len(item.evidence) < EVIDENCE_SHOWN:
            item.evidence.append(found_label.passage)
    return sorted(found.values(), key=lambda c: (-c.latest, -len(c.years), c.code))
