"""The indicators' values for pages, documents and the API, with the records behind them.

Everything here runs in a fixed number of queries whatever the number of states, reports
and years: ``facts.load`` reads the data once, the definitions count in Python, and
``Provenance`` names the records of a value in one query per kind of record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from minefree.indicators import facts as facts_module
from minefree.indicators.definitions import (
    CASE_MEETING,
    DEFINITIONS,
    FLOW,
    PLATFORM_MEETING,
    REPORT,
    REQUEST,
    VISIT,
    Definition,
    Part,
    Record,
    YearValue,
)
from minefree.indicators.facts import Facts
from minefree.indicators.models import (
    ActionPlan,
    CommitteeDocument,
    DocumentStatus,
    DocumentVersion,
    Indicator,
    PlanAction,
    PlanSection,
    PublishedFigure,
)
from minefree.registry.models import Actor


def plans() -> QuerySet[ActionPlan]:
    """The plans with their sections, actions and indicators (four queries)."""
    return ActionPlan.objects.select_related("source", "adopted_at").prefetch_related(
        Prefetch("sections", queryset=PlanSection.objects.select_related("source")),
        Prefetch(
            "sections__actions",
            queryset=PlanAction.objects.select_related("source").order_by("number"),
        ),
        Prefetch(
            "sections__actions__indicators",
            queryset=Indicator.objects.select_related("source").prefetch_related(
                Prefetch("published", queryset=PublishedFigure.objects.select_related("source"))
            ),
        ),
    )


def indicators() -> QuerySet[Indicator]:
    return Indicator.objects.select_related(
        "action", "action__plan", "action__section", "action__source", "source"
    ).prefetch_related(
        Prefetch("published", queryset=PublishedFigure.objects.select_related("source"))
    )


def indicator(code: str) -> Indicator | None:
    return indicators().filter(code=code).first()


def definition_of(item: Indicator) -> Definition:
    return DEFINITIONS[item.definition]


@dataclass
class Series:
    """One indicator's values, first year to last."""

    indicator: Indicator
    definition: Definition
    values: list[YearValue]

    @property
    def computed(self) -> list[YearValue]:
        return [v for v in self.values if v.reported.computed]

    @property
    def latest(self) -> YearValue | None:
        computed = self.computed
        return computed[-1] if computed else None

    @property
    def has_synthetic(self) -> bool:
        return any(v.synthetic is not None for v in self.values)

    def at(self, year: int) -> YearValue | None:
        return next((v for v in self.values if v.year == year), None)

    def figure(self, part: Part) -> float | None:
        """The number charted: the percentage, or the count."""
        if self.definition.kind == "count":
            return None if part.numerator is None else float(part.numerator)
        return part.percentage


def series(
    items: Iterable[Indicator],
    first: int | None = None,
    last: int | None = None,
    facts: Facts | None = None,
) -> list[Series]:
    """Every value of every indicator of ``items`` for ``first``..``last``."""
    data = facts or facts_module.load(first, last)
    result = []
    for item in items:
        definition = definition_of(item)
        values = [definition.value(data, year) for year in range(data.first, data.last + 1)]
        result.append(Series(item, definition, values))
    return result


# --- the records behind a value ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordLine:
    """A record as people read it: what, for which state, where to see it."""

    record: Record
    state: Actor | None
    label: str
    url: str

    @property
    def synthetic(self) -> bool:
        return self.record.synthetic


def _detail_label(record: Record) -> str:
    if record.kind == REPORT:
        if record.detail == "on_time":
            what = _("submitted by 30 April")
        elif record.detail:
            letter, _sep, table = record.detail.partition("/")
            what = _("Form %(letter)s, %(table)s") % {
                "letter": letter,
                "table": table.replace("_", " "),
            }
        else:
            what = _("submitted")
        return _("Article 7 report for %(year)s, version %(number)s: %(what)s") % {
            "year": record.year,
            "number": record.number,
            "what": what,
        }
    if record.kind == FLOW:
        return _("Support recorded as %(status)s in %(year)s") % {
            "status": record.detail,
            "year": record.year,
        }
    if record.kind == CASE_MEETING:
        return _("Individualised approach meeting, %(day)s") % {"day": record.detail}
    if record.kind == PLATFORM_MEETING:
        return _("National platform meeting, %(day)s") % {"day": record.detail}
    if record.kind == REQUEST:
        return _("Extension request submitted in %(year)s") % {"year": record.year}
    if record.kind == VISIT:
        return (
            _("Exchange visit made in %(year)s")
            if record.detail == "visited"
            else _("Exchange visit hosted in %(year)s")
        ) % {"year": record.year}
    return f"{record.kind} {record.pk}"


#: a placeholder id, reversed once per kind of link and replaced per record
_ID = 999999937


def _pattern(name: str, *args: str) -> str:
    """The URL of ``name`` with ``args`` (by default ``_ID``, replaced by the caller): one
    reverse per kind of link and language keeps naming thousands of records cheap."""
    return _reversed(translation.get_language() or "", name, args if args else (str(_ID),))


@lru_cache(maxsize=512)
def _reversed(language: str, name: str, args: tuple[str, ...]) -> str:
    return reverse(name, args=[a for a in args if a != ""])


def _url(record: Record, iso3: str) -> str:
    pk = str(record.pk)
    if record.kind == REPORT:
        letter = record.detail.partition("/")[0] if "/" in record.detail else ""
        if letter:
            return _pattern("reporting:form", str(_ID), letter).replace(str(_ID), pk, 1)
        return _pattern("reporting:version").replace(str(_ID), pk, 1)
    if record.kind == FLOW:
        return _pattern("cooperation:flows", "") + f"?donor={iso3}&year={record.year}"
    named = {
        CASE_MEETING: "cooperation:case",
        REQUEST: "clearance:request",
        VISIT: "fund:application",
    }
    if record.kind in named:
        return _pattern(named[record.kind]).replace(str(_ID), pk, 1)
    return _pattern("site:country", iso3) if iso3 else ""


def describe(
    records: Iterable[Record], states: Mapping[int, Actor] | None = None
) -> list[RecordLine]:
    """Each record with its state and a link (one query for the states, none when the
    caller passes them)."""
    records = list(records)
    if states is None:
        states = Actor.objects.in_bulk({r.state_id for r in records}) if records else {}
    lines = []
    for record in records:
        state = states.get(record.state_id)
        iso3 = (state.iso3 or "") if state else ""
        lines.append(RecordLine(record, state, _detail_label(record), _url(record, iso3)))
    return sorted(lines, key=lambda line: (line.state.name if line.state else "", line.label))


@dataclass
class StateLine:
    """A state of a value's population: counted or not, and on which records."""

    state: Actor
    counted: bool
    records: list[RecordLine] = field(default_factory=list)


def drill_down(part: Part) -> list[StateLine]:
    """The states behind a value: those counted with their records, then the rest of the
    population (two queries)."""
    members = set(part.counted) | set(part.population or ())
    states = Actor.objects.in_bulk(members)
    described = defaultdict(list)
    for line in describe(part.records):
        described[line.record.state_id].append(line)
    lines = [
        StateLine(states[s], s in part.counted, described.get(s, []))
        for s in members
        if s in states
    ]
    return sorted(lines, key=lambda line: (not line.counted, line.state.name))


# --- a state's profile ----------------------------------------------------------------------------


@dataclass
class ProfileCell:
    year: int
    #: "counted", "not_counted", "outside" (not in the population), or "unknown" (no value)
    status: str
    synthetic: bool = False


@dataclass
class ProfileRow:
    indicator: Indicator
    definition: Definition
    cells: list[ProfileCell]


def state_profile(
    state: Actor, first: int, last: int, facts: Facts | None = None
) -> list[ProfileRow]:
    """For each indicator, each year: whether ``state`` was counted, in the group but not
    counted, outside the group, or the value is unknown (synthetic data marked)."""
    rows = []
    for line in series(indicators(), first, last, facts):
        cells = []
        for value in line.values:
            part, synthetic = value.reported, False
            if not part.computed and value.synthetic is not None:
                part, synthetic = value.synthetic, True
            if not part.computed:
                status = "unknown"
            elif state.pk in part.counted:
                status = "counted"
            elif part.population is None or state.pk in part.population:
                status = "not_counted"
            else:
                status = "outside"
            cells.append(ProfileCell(value.year, status, synthetic))
        rows.append(ProfileRow(line.indicator, line.definition, cells))
    return rows


# --- documents -------------------------------------------------------------------------------------


def documents(public_only: bool = True) -> QuerySet[CommitteeDocument]:
    qs = CommitteeDocument.objects.select_related("meeting", "committee")
    if public_only:
        qs = qs.filter(versions__status=DocumentStatus.PUBLISHED).distinct()
    return qs.order_by("-year", "kind")


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def published_figures(item: Indicator) -> dict[int, list[PublishedFigure]]:
    found: dict[int, list[PublishedFigure]] = defaultdict(list)
    for figure in item.published.all():
        found[figure.year].append(figure)
    return dict(found)


def published_version(document: CommitteeDocument) -> DocumentVersion | None:
    return document.versions.filter(status=DocumentStatus.PUBLISHED).order_by("-number").first()


def draft_version(document: CommitteeDocument) -> DocumentVersion | None:
    return document.versions.filter(status=DocumentStatus.DRAFT).first()
