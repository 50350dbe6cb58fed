"""Article 7 compliance across all States Parties, year by year.

Everything here runs in a fixed number of queries whatever the number of states
and years: party periods, first submitted versions and open obligations are
fetched in bulk and combined in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from minefree.core.models import Origin
from minefree.registry.models import Actor, PartyPeriod
from minefree.registry.models import Article as ObligationArticle
from minefree.registry.selectors import ObligationTimeline, obligation_timeline
from minefree.reporting.models import Article7Report, ReportKind, ReportVersion, VersionStatus
from minefree.reporting.selectors import reporting_history

FIRST_YEAR = 1999


@dataclass(frozen=True)
class YearCompliance:
    """One year's annual reports against the States Parties of that year.

    ``submitted`` counts parties of the year whose report for it has a submitted
    version; the first submission decides whether it was on time. Rates are
    fractions (0–1), ``None`` when there was no party or the report is not yet due.
    """

    year: int
    due: dt.date
    not_yet_due: bool
    parties: int
    submitted: int
    on_time: int
    late: int
    not_submitted: int
    rate: float | None
    on_time_rate: float | None
    art4_parties: int
    art4_submitted: int
    art5_parties: int
    art5_submitted: int
    art45_rate: float | None
    synthetic: int

    @property
    def rate_pct(self) -> float | None:
        return _pct(self.rate)

    @property
    def on_time_rate_pct(self) -> float | None:
        return _pct(self.on_time_rate)

    @property
    def art45_rate_pct(self) -> float | None:
        return _pct(self.art45_rate)


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


@dataclass(frozen=True)
class ReportingGap:
    """A state that missed its annual report for several years running, up to ``years[-1]``."""

    state: Actor
    years: list[int]


@dataclass(frozen=True)
class _Submission:
    on_time: bool
    synthetic: bool


@dataclass(frozen=True)
class _Facts:
    periods: list[tuple[int, dt.date, dt.date | None]]
    submissions: dict[tuple[int, int], _Submission]
    obligations: ObligationTimeline

    def parties(self, year: int) -> set[int]:
        """The same rule as ``registry.selectors.parties_in_year``, on rows already fetched."""
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return {
            actor_id
            for actor_id, start, end in self.periods
            if start <= last and (end is None or end >= first)
        }


def _facts(first: int, last: int) -> _Facts:
    """Three queries: verified party periods, first submissions, open obligations."""
    periods = [
        (actor_id, start, end)
        for actor_id, start, end in PartyPeriod.objects.filter(
            verified=True, start_latest__isnull=False
        ).values_list("actor_id", "start_latest", "end")
        if start is not None
    ]
    submissions: dict[tuple[int, int], _Submission] = {}
    rows = (
        ReportVersion.objects.filter(
            status=VersionStatus.SUBMITTED,
            report__kind=ReportKind.ANNUAL,
            report__year__gte=first,
            report__year__lte=last,
        )
        .order_by("report_id", "number")
        .values_list(
            "report__state_id", "report__year", "report__due_date", "report__origin", "submitted_at"
        )
    )
    for state_id, year, due, origin, submitted_at in rows:
        key = (state_id, year)
        if key in submissions:
            continue  # only the first submission decides on time or late
        on_time = submitted_at is not None and timezone.localdate(submitted_at) <= due
        submissions[key] = _Submission(on_time, origin == Origin.SYNTHETIC)
    return _Facts(periods, submissions, obligation_timeline())


def _rate(part: int, whole: int, due: bool) -> float | None:
    return part / whole if due and whole else None


def _is_due(year: int, today: dt.date) -> bool:
    """As in ``reporting_history``: a report is not yet due up to and on its due date."""
    return Article7Report.annual_due_date(year) < today


def compliance_by_year(first: int, last: int, today: dt.date | None = None) -> list[YearCompliance]:
    """Annual reporting of each year's States Parties, ``first`` to ``last`` (3 queries).

    The Art. 4 and Art. 5 columns count the states whose obligation ran during the
    year shown (``registry.selectors.obligation_open_in``): up to its recorded
    completion, or every year while it is open. A completion whose date the
    sources do not give cannot be placed in time, so that state is left out.
    """
    day = today or timezone.localdate()
    facts = _facts(first, last)
    result = []
    for year in range(first, last + 1):
        due = _is_due(year, day)
        parties = facts.parties(year)
        done = {s: facts.submissions[(s, year)] for s in parties if (s, year) in facts.submissions}
        on_time = sum(1 for sub in done.values() if sub.on_time)
        running = {s: facts.obligations.open_articles(s, year) for s in parties}
        art4 = {s for s in parties if ObligationArticle.STOCKPILES in running[s]}
        art5 = {s for s in parties if ObligationArticle.MINED_AREAS in running[s]}
        either = art4 | art5
        result.append(
            YearCompliance(
                year=year,
                due=Article7Report.annual_due_date(year),
                not_yet_due=not due,
                parties=len(parties),
                submitted=len(done),
                on_time=on_time,
                late=len(done) - on_time,
                not_submitted=len(parties) - len(done),
                rate=_rate(len(done), len(parties), due),
                on_time_rate=_rate(on_time, len(parties), due),
                art4_parties=len(art4),
                art4_submitted=len(art4 & done.keys()),
                art5_parties=len(art5),
                art5_submitted=len(art5 & done.keys()),
                art45_rate=_rate(len(either & done.keys()), len(either), due),
                synthetic=sum(1 for sub in done.values() if sub.synthetic),
            )
        )
    return result


def multi_year_gaps(
    *, last: int, min_years: int = 2, today: dt.date | None = None
) -> list[ReportingGap]:
    """States Parties that missed at least ``min_years`` annual reports in a row up to ``last``.

    Only years already due count; the run stops at a submitted report or a year
    in which the state was not a party. Longest gaps first (4 queries).
    """
    day = today or timezone.localdate()
    while last >= FIRST_YEAR and not _is_due(last, day):
        last -= 1
    if last < FIRST_YEAR:
        return []
    facts = _facts(FIRST_YEAR, last)
    parties_by_year: dict[int, set[int]] = {}
    runs: dict[int, list[int]] = {}
    for state_id in facts.parties(last):
        missed: list[int] = []
        year = last
        while year >= FIRST_YEAR:
            parties = parties_by_year.setdefault(year, facts.parties(year))
            if state_id not in parties or (state_id, year) in facts.submissions:
                break
            missed.append(year)
            year -= 1
        if len(missed) >= min_years:
            runs[state_id] = sorted(missed)
    states = Actor.objects.in_bulk(list(runs))
    gaps = [ReportingGap(states[s], years) for s, years in runs.items()]
    return sorted(gaps, key=lambda g: (-len(g.years), g.state.name_en))


def state_compliance(state: Actor, today: dt.date | None = None) -> list[tuple[int, str]]:
    """One state's years and their annual report's status (on_time, late, not_submitted,
    not_yet_due)."""
    return [
        (line.year, line.status)
        for line in reporting_history(state, today)
        if line.kind == ReportKind.ANNUAL
    ]


def default_years(today: dt.date | None = None) -> tuple[int, int]:
    """From the Convention's first reporting year to last year."""
    return FIRST_YEAR, (today or timezone.localdate()).year - 1


def parse_years(
    raw_first: str | None, raw_last: str | None, today: dt.date | None = None
) -> tuple[int, int, bool]:
    """``?from=&to=`` as integers within 1999..this year, ``from`` ≤ ``to``.

    Returns the years and whether the input was valid; a missing bound takes its
    default, anything else wrong gives the defaults.
    """
    day = today or timezone.localdate()
    first, last = default_years(day)
    try:
        wanted_first = int(raw_first.strip()) if raw_first and raw_first.strip() else first
        wanted_last = int(raw_last.strip()) if raw_last and raw_last.strip() else last
    except ValueError:
        return first, last, False
    if not FIRST_YEAR <= wanted_first <= wanted_last <= day.year:
        return first, last, False
    return wanted_first, wanted_last, True


__all__ = [
    "ReportingGap",
    "YearCompliance",
    "compliance_by_year",
    "default_years",
    "multi_year_gaps",
    "parse_years",
    "state_compliance",
]
