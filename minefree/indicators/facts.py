"""What the indicators count, read once from the apps below through their selectors.

``load`` runs a fixed number of queries whatever the number of states, reports and years
(party periods, obligations, annual submissions, the tables their Forms A and J filled in,
flows, meetings of cases and platforms, extension requests, exchange visits), and the
definitions combine them in Python. Only what the public may read is counted: published
reports, public cooperation records and visits held, so a value and the records behind it
can be shown to anyone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from minefree.casework.selectors import HeldMeeting, public_case_meetings, public_platform_meetings
from minefree.clearance.selectors import SubmittedRequest, submitted_request_versions
from minefree.core.models import Origin
from minefree.fund.selectors import HeldVisit, held_visits
from minefree.funding.selectors import GivenFlow, public_flows_given
from minefree.registry.models import Article as ObligationArticle
from minefree.registry.selectors import (
    ObligationTimeline,
    obligation_timeline,
    verified_party_periods,
)
from minefree.reporting.models import Article7Report
from minefree.reporting.selectors import AnnualSubmission, annual_submissions, form_table_marks

#: the first year whose annual reports were due (the Convention entered into force in 1999)
FIRST_YEAR = 1999
#: the forms whose tables the indicators read
FORMS_READ = ("A", "J")


@dataclass(frozen=True)
class Submission:
    """A state's annual report for a year: the version counted (the latest submitted) and
    whether its first submission came by the due date."""

    latest: AnnualSubmission
    on_time: bool

    @property
    def synthetic(self) -> bool:
        return self.latest.origin == Origin.SYNTHETIC


@dataclass
class Facts:
    first: int
    last: int
    today: dt.date
    periods: list[tuple[int, dt.date, dt.date | None]]
    obligations: ObligationTimeline
    submissions: dict[tuple[int, int], Submission]
    #: version id → {(form letter, table, direction)}
    marks: dict[int, set[tuple[str, str, str]]]
    flows: dict[int, list[GivenFlow]]
    case_meetings: dict[int, list[HeldMeeting]]
    platform_meetings: dict[int, list[HeldMeeting]]
    requests: dict[int, list[SubmittedRequest]]
    visits: dict[int, list[HeldVisit]]
    _parties: dict[int, frozenset[int]] = field(default_factory=dict)

    def parties(self, year: int) -> frozenset[int]:
        """States party at some point in ``year`` (``registry.selectors.parties_in_year``)."""
        if year not in self._parties:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            self._parties[year] = frozenset(
                actor_id
                for actor_id, start, end in self.periods
                if start <= last and (end is None or end >= first)
            )
        return self._parties[year]

    def article5(self, year: int) -> frozenset[int]:
        """States Parties whose Article 5 obligation ran during ``year``."""
        return frozenset(
            s
            for s in self.parties(year)
            if ObligationArticle.MINED_AREAS in self.obligations.open_articles(s, year)
        )

    def reports_due(self, year: int) -> bool:
        return Article7Report.annual_due_date(year) < self.today

    def reports_of(self, year: int, synthetic: bool) -> dict[int, Submission]:
        """State id → its report for ``year``, of one kind of data."""
        return {
            state: sub
            for (state, y), sub in self.submissions.items()
            if y == year and sub.synthetic == synthetic
        }

    def first_year(self, records: dict[int, list[Any]], synthetic: bool) -> int | None:
        years = [
            y
            for y, items in records.items()
            if any((i.origin == Origin.SYNTHETIC) == synthetic for i in items)
        ]
        return min(years) if years else None


def _by_year(items: list[Any], day: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for item in items:
        grouped[day(item)].append(item)
    return dict(grouped)


def load(first: int | None = None, last: int | None = None, today: dt.date | None = None) -> Facts:
    """Everything the definitions need for ``first``..``last`` (default: 1999 to this year)."""
    day = today or timezone.localdate()
    first = FIRST_YEAR if first is None else first
    last = day.year if last is None else last
    submissions: dict[tuple[int, int], Submission] = {}
    first_on_time: dict[int, bool] = {}
    for sub in annual_submissions(first, last):
        if sub.report_id not in first_on_time:
            submitted = sub.submitted_at
            first_on_time[sub.report_id] = (
                submitted is not None and timezone.localdate(submitted) <= sub.due
            )
        # versions come oldest first: the last one seen is the latest submitted
        submissions[(sub.state_id, sub.year)] = Submission(sub, first_on_time[sub.report_id])
    marks: dict[int, set[tuple[str, str, str]]] = defaultdict(set)
    version_ids = [s.latest.version_id for s in submissions.values()]
    for version_id, letter, table, direction in form_table_marks(version_ids, FORMS_READ):
        marks[version_id].add((letter, table, direction))
    return Facts(
        first=first,
        last=last,
        today=day,
        periods=verified_party_periods(),
        obligations=obligation_timeline(),
        submissions=submissions,
        marks=dict(marks),
        flows=_by_year(public_flows_given(first, last), lambda f: f.year),
        case_meetings=_by_year(public_case_meetings(), lambda m: m.held_on.year),
        platform_meetings=_by_year(public_platform_meetings(), lambda m: m.held_on.year),
        requests=_by_year(submitted_request_versions(), lambda r: r.submitted_on.year),
        visits=_by_year(held_visits(), lambda v: v.held_from.year),
    )
