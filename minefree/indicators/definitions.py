"""How each indicator is computed: code registered by name, read by people and tested.

A definition names its population (the denominator: all States Parties of the year, those
with an Article 5 obligation running, those that submitted an extension request), the
condition a state meets to be counted (the numerator) and its year rule. For each year it
returns, for reported data and apart for synthetic demo data, the states counted with the
records that put them there, the population, or the reason the value cannot be computed
(never a 0 standing for "no data").

Year rules:

* **reporting year**: the annual Article 7 report covering the calendar year (due by 30
  April of the next year); the latest submitted version counts, and "on time" is decided
  by the first submission;
* **calendar year**: an event held in the year (a meeting, a visit, a flow of that year);
  the value is computed from the first year minefree holds such an event, since before it
  a zero would only say that nothing was recorded;
* **submission year**: the year an extension request was submitted.

A State Party "of the year" was party at some point of it (``registry.selectors.
parties_in_year``): a state whose instrument took effect, or whose withdrawal took effect,
during the year counts for that year.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minefree.casework.selectors import HeldMeeting
from minefree.core.models import Origin
from minefree.indicators.facts import Facts, Submission

PERCENTAGE, COUNT = "percentage", "count"

# the kinds of record an indicator can rest on (``provenance``)
REPORT, FLOW, CASE_MEETING, PLATFORM_MEETING, REQUEST, VISIT = (
    "report",
    "flow",
    "case_meeting",
    "platform_meeting",
    "extension_request",
    "fund_visit",
)


@dataclass(frozen=True)
class Record:
    """One record behind a number: what it is (``kind`` and ``pk``), the state it counts for,
    and what in it counted (``detail``: e.g. a form and table of a report version)."""

    kind: str
    pk: int
    state_id: int
    year: int
    detail: str = ""
    number: int = 0  # a version's number
    synthetic: bool = False


@dataclass
class Part:
    """One kind of data's value for a year: who is counted, out of whom, and on what."""

    counted: dict[int, list[Record]] = field(default_factory=dict)
    population: frozenset[int] | None = None
    reason: str = ""

    @property
    def computed(self) -> bool:
        return not self.reason

    @property
    def numerator(self) -> int | None:
        return None if self.reason else len(self.counted)

    @property
    def denominator(self) -> int | None:
        return None if self.reason or self.population is None else len(self.population)

    @property
    def percentage(self) -> float | None:
        if self.reason or not self.population:
            return None
        return round(100 * len(self.counted) / len(self.population), 1)

    @property
    def records(self) -> list[Record]:
        return [r for state in sorted(self.counted) for r in self.counted[state]]


@dataclass
class YearValue:
    year: int
    reported: Part
    synthetic: Part | None = None


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str
    population: Any  # the denominator rule, as people read it
    numerator: Any  # the condition, as people read it
    year_rule: Any
    compute: Callable[[Facts, int, bool], Part]

    def value(self, facts: Facts, year: int) -> YearValue:
        synthetic = self.compute(facts, year, True)
        return YearValue(
            year, self.compute(facts, year, False), synthetic if synthetic.computed else None
        )


DEFINITIONS: dict[str, Definition] = {}

REPORTING_YEAR = _("reporting year: the annual Article 7 report covering the year")
CALENDAR_YEAR = _("calendar year: what took place during the year")
SUBMISSION_YEAR = _("submission year: the year the extension request was submitted")

ALL_PARTIES = _("all States Parties of the year")
ARTICLE5 = _("States Parties with an Article 5 obligation running in the year")
REQUESTING = _("States Parties that submitted an extension request in the year")


def definition(
    name: str, *, kind: str, population: Any, numerator: Any, year_rule: Any
) -> Callable[[Callable[[Facts, int, bool], Part]], Callable[[Facts, int, bool], Part]]:
    """Register ``compute`` under ``name`` (the name indicators.csv refers to)."""

    def register(
        compute: Callable[[Facts, int, bool], Part],
    ) -> Callable[[Facts, int, bool], Part]:
        if name in DEFINITIONS:
            raise ValueError(f"indicator definition {name!r} registered twice")
        DEFINITIONS[name] = Definition(name, kind, population, numerator, year_rule, compute)
        return compute

    return register


# --- shared pieces ---------------------------------------------------------------------------


def _report_record(state: int, sub: Submission, detail: str = "") -> Record:
    latest = sub.latest
    return Record(
        REPORT, latest.version_id, state, latest.year, detail, latest.number, sub.synthetic
    )


def _reports_or_reason(
    facts: Facts, year: int, synthetic: bool
) -> tuple[dict[int, Submission], str]:
    """The year's reports of one kind of data, or why there are none to count."""
    if not facts.reports_due(year):
        return {}, str(
            _("The reports for %(year)s are due by 30 April %(next)s.")
            % {"year": year, "next": year + 1}
        )
    reports = facts.reports_of(year, synthetic)
    if not reports:
        return {}, str(_("No Article 7 report for %(year)s is held in minefree.") % {"year": year})
    return reports, ""


def _population_reason(population: frozenset[int], year: int) -> str:
    if population:
        return ""
    return str(_("No State Party is in this indicator's group in %(year)s.") % {"year": year})


def _from_reports(
    facts: Facts,
    year: int,
    synthetic: bool,
    population: frozenset[int],
    condition: Callable[[set[tuple[str, str, str]]], Iterable[str]],
) -> Part:
    """States of ``population`` whose report for ``year`` has form tables meeting
    ``condition`` (which returns the details that counted, e.g. "J/needs")."""
    reports, reason = _reports_or_reason(facts, year, synthetic)
    reason = reason or _population_reason(population, year)
    if reason:
        return Part(reason=reason, population=population)
    counted: dict[int, list[Record]] = {}
    for state in population:
        sub = reports.get(state)
        if sub is None:
            continue
        details = sorted(set(condition(facts.marks.get(sub.latest.version_id, set()))))
        if details:
            counted[state] = [_report_record(state, sub, d) for d in details]
    return Part(counted, population)


def _tables(marks: set[tuple[str, str, str]], letter: str, *tables: str) -> list[str]:
    return [f"{letter}/{t}" for (form, t, _direction) in marks if form == letter and t in tables]


def _since_first(
    records: dict[int, list[Any]], facts: Facts, year: int, synthetic: bool, what: Any
) -> str:
    """Why an event-based value is not computed for ``year``: nothing of the kind is
    recorded in minefree up to that year."""
    first = facts.first_year(records, synthetic)
    if first is not None and first <= year:
        return ""
    if first is None:
        return str(_("minefree holds no record of %(what)s.") % {"what": what})
    return str(
        _("minefree holds no record of %(what)s before %(year)s.") % {"what": what, "year": first}
    )


def _is(origin: str, synthetic: bool) -> bool:
    return (origin == Origin.SYNTHETIC) == synthetic


# --- transparency (Article 7) ------------------------------------------------------------------


@definition(
    "report_submitted",
    kind=PERCENTAGE,
    population=ALL_PARTIES,
    numerator=_("submitted an annual Article 7 report for the year (at any date)"),
    year_rule=REPORTING_YEAR,
)
def report_submitted(facts: Facts, year: int, synthetic: bool) -> Part:
    population = facts.parties(year)
    reports, reason = _reports_or_reason(facts, year, synthetic)
    if reason:
        return Part(reason=reason, population=population)
    counted = {s: [_report_record(s, reports[s])] for s in population if s in reports}
    return Part(counted, population)


@definition(
    "report_on_time",
    kind=PERCENTAGE,
    population=ALL_PARTIES,
    numerator=_("first submitted the year's annual Article 7 report by 30 April of the next year"),
    year_rule=REPORTING_YEAR,
)
def report_on_time(facts: Facts, year: int, synthetic: bool) -> Part:
    population = facts.parties(year)
    reports, reason = _reports_or_reason(facts, year, synthetic)
    if reason:
        return Part(reason=reason, population=population)
    counted = {
        s: [_report_record(s, reports[s], "on_time")]
        for s in population
        if s in reports and reports[s].on_time
    }
    return Part(counted, population)


@definition(
    "article9_measures",
    kind=PERCENTAGE,
    population=ALL_PARTIES,
    numerator=_("the year's report lists national implementation measures in Form A"),
    year_rule=REPORTING_YEAR,
)
def article9_measures(facts: Facts, year: int, synthetic: bool) -> Part:
    return _from_reports(
        facts, year, synthetic, facts.parties(year), lambda m: _tables(m, "A", "measures")
    )


# --- cooperation and assistance ----------------------------------------------------------------


@definition(
    "needs_reported",
    kind=PERCENTAGE,
    population=ARTICLE5,
    numerator=_("the year's report states challenges or needs for assistance in Form J"),
    year_rule=REPORTING_YEAR,
)
def needs_reported(facts: Facts, year: int, synthetic: bool) -> Part:
    return _from_reports(
        facts,
        year,
        synthetic,
        facts.article5(year),
        lambda m: _tables(m, "J", "challenges", "needs"),
    )


@definition(
    "national_resources",
    kind=PERCENTAGE,
    population=ARTICLE5,
    numerator=_("the year's report states national resources committed in Form J"),
    year_rule=REPORTING_YEAR,
)
def national_resources(facts: Facts, year: int, synthetic: bool) -> Part:
    return _from_reports(
        facts,
        year,
        synthetic,
        facts.article5(year),
        lambda m: _tables(m, "J", "national_resources"),
    )


@definition(
    "assistance_reported",
    kind=PERCENTAGE,
    population=ALL_PARTIES,
    numerator=_(
        "the year's report lists cooperation and assistance provided or received in Form J"
    ),
    year_rule=REPORTING_YEAR,
)
def assistance_reported(facts: Facts, year: int, synthetic: bool) -> Part:
    return _from_reports(
        facts, year, synthetic, facts.parties(year), lambda m: _tables(m, "J", "assistance")
    )


@definition(
    "assistance_provided",
    kind=COUNT,
    population=ALL_PARTIES,
    numerator=_(
        "provided assistance in the year: Form J lists assistance provided, or support it gave "
        "is recorded as committed or paid"
    ),
    year_rule=CALENDAR_YEAR,
)
def assistance_provided(facts: Facts, year: int, synthetic: bool) -> Part:
    parties = facts.parties(year)
    flows = [f for f in facts.flows.get(year, []) if _is(f.origin, synthetic)]
    reports = facts.reports_of(year, synthetic) if facts.reports_due(year) else {}
    if not flows and not reports:
        return Part(
            reason=str(
                _("No assistance given in %(year)s is recorded in minefree.") % {"year": year}
            )
        )
    counted: dict[int, list[Record]] = {}
    for state, sub in reports.items():
        if state in parties and ("J", "assistance", "provided") in facts.marks.get(
            sub.latest.version_id, set()
        ):
            counted.setdefault(state, []).append(_report_record(state, sub, "J/assistance"))
    for flow in flows:
        if flow.donor_id in parties:
            counted.setdefault(flow.donor_id, []).append(
                Record(FLOW, flow.pk, flow.donor_id, year, flow.status, synthetic=synthetic)
            )
    return Part(counted, None)


@definition(
    "individualised_approach",
    kind=PERCENTAGE,
    population=ARTICLE5,
    numerator=_("held a meeting of the individualised approach in the year"),
    year_rule=CALENDAR_YEAR,
)
def individualised_approach(facts: Facts, year: int, synthetic: bool) -> Part:
    return _met_in_year(
        facts.case_meetings,
        facts,
        year,
        synthetic,
        _("individualised approach meetings"),
        CASE_MEETING,
        by_parent=True,
    )


@definition(
    "national_platform",
    kind=PERCENTAGE,
    population=ARTICLE5,
    numerator=_("its national mine action platform met in the year"),
    year_rule=CALENDAR_YEAR,
)
def national_platform(facts: Facts, year: int, synthetic: bool) -> Part:
    return _met_in_year(
        facts.platform_meetings,
        facts,
        year,
        synthetic,
        _("national platform meetings"),
        PLATFORM_MEETING,
        by_parent=False,
    )


def _met_in_year(
    meetings: dict[int, list[HeldMeeting]],
    facts: Facts,
    year: int,
    synthetic: bool,
    what: Any,
    kind: str,
    *,
    by_parent: bool,
) -> Part:
    """States with an Article 5 obligation that held such a meeting in ``year``; each meeting
    is a record (of the case it belongs to when ``by_parent``, the page people read)."""
    population = facts.article5(year)
    reason = _since_first(meetings, facts, year, synthetic, what) or _population_reason(
        population, year
    )
    if reason:
        return Part(reason=reason, population=population)
    counted: dict[int, list[Record]] = {}
    for meeting in meetings.get(year, []):
        if meeting.state_id in population and _is(meeting.origin, synthetic):
            counted.setdefault(meeting.state_id, []).append(
                Record(
                    kind,
                    meeting.parent_id if by_parent else meeting.pk,
                    meeting.state_id,
                    year,
                    meeting.held_on.isoformat(),
                    synthetic=synthetic,
                )
            )
    return Part(counted, population)


@definition(
    "exchange_visits",
    kind=COUNT,
    population=ALL_PARTIES,
    numerator=_(
        "a national mine action body of the state made or hosted an exchange visit of the "
        "Cooperation and Assistance Fund that began in the year"
    ),
    year_rule=CALENDAR_YEAR,
)
def exchange_visits(facts: Facts, year: int, synthetic: bool) -> Part:
    reason = _since_first(
        facts.visits, facts, year, synthetic, pgettext_lazy("indicator", "exchange visits")
    )
    if reason:
        return Part(reason=reason)
    parties = facts.parties(year)
    counted: dict[int, list[Record]] = {}
    for visit in facts.visits.get(year, []):
        if not _is(visit.origin, synthetic):
            continue
        for state, role in ((visit.applicant_state_id, "visited"), (visit.host_state_id, "hosted")):
            if state in parties:
                counted.setdefault(state, []).append(
                    Record(VISIT, visit.pk, state, year, role, synthetic=synthetic)
                )
    return Part(counted, None)


# --- survey and clearance ----------------------------------------------------------------------


@definition(
    "costed_workplan",
    kind=PERCENTAGE,
    population=REQUESTING,
    numerator=_(
        "the request submitted has a multi-year workplan: milestones and a budget for at least "
        "two years each"
    ),
    year_rule=SUBMISSION_YEAR,
)
def costed_workplan(facts: Facts, year: int, synthetic: bool) -> Part:
    submitted = [r for r in facts.requests.get(year, []) if _is(r.origin, synthetic)]
    parties = facts.parties(year)
    population = frozenset(r.state_id for r in submitted if r.state_id in parties)
    if not population:
        return Part(
            reason=str(
                _("No extension request submitted in %(year)s is held in minefree.")
                % {"year": year}
            ),
            population=population,
        )
    counted: dict[int, list[Record]] = {}
    for request in submitted:
        if (
            request.state_id in population
            and request.milestone_years >= 2
            and request.budget_years >= 2
        ):
            counted.setdefault(request.state_id, []).append(
                Record(
                    REQUEST,
                    request.request_id,
                    request.state_id,
                    year,
                    str(request.version_id),
                    synthetic=synthetic,
                )
            )
    return Part(counted, population)
