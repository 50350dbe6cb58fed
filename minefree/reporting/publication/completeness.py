"""Field-level completeness of an Article 7 report, against the forms the state must fill.

Which forms a state must fill depends on its own obligations running during the year
the report covers (``registry.selectors.obligation_open_in``: up to a recorded
completion, or every year while open):

========================  ==================================  =======================
Who                       Forms                               Tables that need a row
========================  ==================================  =======================
every State Party         A, B, D, E, H (Art. 7.1(a)(b)(d)    A measures, B stockpile,
                          (e)(h) apply to every party)        D retained, E facilities,
                                                              H mine_types
open Article 4            F, G (destruction programmes and    F programmes,
(stockpile destruction)   mines destroyed, Art. 7.1(f)(g))    G destroyed
open Article 5            C, F, G, I (mined areas and land    C mined_areas and
(clearance)               release, programmes, mines          land_release, F, G,
                          destroyed, warning measures,        I warnings
                          Art. 7.1(c)(f)(g)(i))
========================  ==================================  =======================

Form J is voluntary and never required. Tables for events that may not happen
(B-bis previously unknown stockpiles, C newly found areas) need no row, but the
rows a state does give in them count.

The obligation status is the registry's *current* one, as on the compliance
dashboard: the registry keeps no history of statuses.

Within a required form:

- a form marked "unchanged since" or "not applicable" on the cover page is
  answered (fraction 1): the state has said what it has to say;
- otherwise every required field (``schema.Field.required``) of every row counts
  one, filled or missing; a table that needs a row and has none counts its
  required fields as missing; each narrative of the form counts one.

A form's fraction is filled / expected. The report's fraction is the mean of its
required forms' fractions, so one long table cannot drown an empty form.
Validation (MF-E04) already blocks submitting a row with a required field empty,
so for submitted reports the measure mostly tells which required forms were left
empty without a mark; for drafts it also lists the fields still to fill.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.registry.models import Article as ObligationArticle
from minefree.registry.selectors import ObligationTimeline, obligation_timeline
from minefree.reporting.models import (
    FormEntry,
    FormRow,
    FormStatus,
    ReportKind,
    ReportVersion,
    VersionStatus,
)
from minefree.reporting.publication.compliance import FIRST_YEAR, _facts, _is_due
from minefree.reporting.selectors import absence_origin, synthetic_years
from minefree.reporting.specification.content import Content
from minefree.reporting.specification.schema import FORMS

CHUNK_SIZE = 2000

EVERY_PARTY = "party"
ARTICLE_4 = "article4"
ARTICLE_5 = "article5"

#: form letter -> tables that need at least one row, per reason a form is required.
REQUIRED_FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    EVERY_PARTY: {
        "A": ("measures",),
        "B": ("stockpile",),
        "D": ("retained",),
        "E": ("facilities",),
        "H": ("mine_types",),
    },
    ARTICLE_4: {"F": ("programmes",), "G": ("destroyed",)},
    ARTICLE_5: {
        "C": ("mined_areas", "land_release"),
        "F": ("programmes",),
        "G": ("destroyed",),
        "I": ("warnings",),
    },
}
ANSWERED_BY_MARK = {FormStatus.UNCHANGED, FormStatus.NOT_APPLICABLE}


def required_forms(open_articles: Iterable[int]) -> dict[str, tuple[tuple[str, ...], list[str]]]:
    """Letter -> (tables that need a row, reasons), in form order, for these open articles."""
    reasons = [EVERY_PARTY]
    articles = set(open_articles)
    if ObligationArticle.STOCKPILES in articles:
        reasons.append(ARTICLE_4)
    if ObligationArticle.MINED_AREAS in articles:
        reasons.append(ARTICLE_5)
    found: dict[str, tuple[tuple[str, ...], list[str]]] = {}
    for reason in reasons:
        for letter, tables in REQUIRED_FORMS[reason].items():
            known, why = found.get(letter, ((), []))
            found[letter] = (tuple(dict.fromkeys((*known, *tables))), [*why, reason])
    return {letter: found[letter] for letter in FORMS if letter in found}


@dataclass(frozen=True)
class Missing:
    """One thing missing from a form: a field of a row, a table without a row, or a narrative."""

    letter: str
    table: str = ""
    position: int | None = None
    field: str = ""

    @property
    def text(self) -> str:
        """The missing item in words, in the active language."""
        spec = FORMS[self.letter]
        if not self.table:
            label = next((f.label for f in spec.narratives if f.name == self.field), self.field)
            return _("Form %(letter)s: “%(field)s”") % {"letter": self.letter, "field": label}
        table = spec.table(self.table)
        if self.position is None:
            return _("Form %(letter)s, “%(table)s”: no row") % {
                "letter": self.letter,
                "table": table.label,
            }
        return _("Form %(letter)s, “%(table)s”, row %(position)s: “%(field)s”") % {
            "letter": self.letter,
            "table": table.label,
            "position": self.position,
            "field": table.field(self.field).label,
        }


@dataclass(frozen=True)
class FormCompleteness:
    letter: str
    reasons: tuple[str, ...]
    mark: str
    filled: int
    expected: int
    has_content: bool
    missing: tuple[Missing, ...]

    @property
    def answered_by_mark(self) -> bool:
        return self.mark in ANSWERED_BY_MARK

    @property
    def fraction(self) -> float:
        if self.answered_by_mark:
            return 1.0
        return self.filled / self.expected if self.expected else 1.0

    @property
    def pct(self) -> float:
        return round(self.fraction * 100, 1)

    @property
    def is_missing(self) -> bool:
        """Required, not marked, and without a single row or narrative."""
        return not self.answered_by_mark and not self.has_content


@dataclass(frozen=True)
class Completeness:
    forms: tuple[FormCompleteness, ...]

    @property
    def fraction(self) -> float:
        if not self.forms:
            return 1.0
        return sum(f.fraction for f in self.forms) / len(self.forms)

    @property
    def pct(self) -> float:
        return round(self.fraction * 100, 1)

    @property
    def missing_forms(self) -> list[str]:
        return [f.letter for f in self.forms if f.is_missing]

    @property
    def missing(self) -> list[Missing]:
        return [m for f in self.forms for m in f.missing]


def _filled(value: Any) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


@dataclass
class Collected:
    """A version's rows and entries reduced to what completeness needs."""

    rows: dict[str, list[tuple[str, int, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    entries: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def add_row(self, letter: str, table: str, position: int, data: Any) -> None:
        self.rows[letter].append((table, position, data if isinstance(data, dict) else {}))


def assess(collected: Collected, open_articles: Iterable[int]) -> Completeness:
    """Completeness of one version's rows and entries for a state with these open articles."""
    results = []
    for letter, (needed, reasons) in required_forms(open_articles).items():
        spec = FORMS[letter]
        mark, narratives = collected.entries.get(letter, (FormStatus.CHANGED, {}))
        rows = collected.rows.get(letter, [])
        has_content = bool(rows) or any(_filled(v) for v in narratives.values())
        filled = expected = 0
        missing: list[Missing] = []
        if mark not in ANSWERED_BY_MARK:
            tables = {t.code: t for t in spec.tables}
            order = {code: n for n, code in enumerate(tables)}
            seen: set[str] = set()
            for table_code, position, data in sorted(
                rows, key=lambda r: (order.get(r[0], len(order)), r[1])
            ):
                table = tables.get(table_code)
                if table is None:
                    continue
                seen.add(table_code)
                for f in table.fields:
                    if not f.required:
                        continue
                    expected += 1
                    if _filled(data.get(f.name)):
                        filled += 1
                    else:
                        missing.append(Missing(letter, table_code, position, f.name))
            for table_code in needed:
                if table_code not in seen:
                    expected += max(1, sum(1 for f in tables[table_code].fields if f.required))
                    missing.append(Missing(letter, table_code))
            for narrative in spec.narratives:
                expected += 1
                if _filled(narratives.get(narrative.name)):
                    filled += 1
                else:
                    missing.append(Missing(letter, field=narrative.name))
        results.append(
            FormCompleteness(
                letter=letter,
                reasons=tuple(reasons),
                mark=mark,
                filled=filled,
                expected=expected,
                has_content=has_content,
                missing=tuple(missing),
            )
        )
    return Completeness(tuple(results))


def content_completeness(content: Content) -> Completeness:
    """Completeness of a version already loaded for a page (one query: open obligations)."""
    collected = Collected()
    for (letter, table), rows in content.rows.items():
        for row in rows:
            collected.add_row(letter, table, row.position, row.data)
    for letter, entry in content.entries.items():
        collected.entries[letter] = (entry.status, entry.narratives or {})
    report = content.version.report
    running = obligation_timeline([report.state_id]).open_articles(report.state_id, report.year)
    return assess(collected, running)


def _latest_annual(year: int) -> dict[int, tuple[int, str]]:
    """State id -> (latest submitted version id, origin) of the annual reports of a year."""
    chosen: dict[int, tuple[int, str]] = {}
    rows = (
        ReportVersion.objects.filter(
            status=VersionStatus.SUBMITTED, report__kind=ReportKind.ANNUAL, report__year=year
        )
        .order_by("report__state_id", "-number")
        .values_list("report__state_id", "pk", "report__origin")
    )
    for state_id, pk, origin in rows:
        chosen.setdefault(state_id, (pk, origin))
    return chosen


def year_completeness(
    year: int,
    obligations: ObligationTimeline | None = None,
    latest: Mapping[int, tuple[int, str]] | None = None,
) -> dict[int, Completeness]:
    """State id -> completeness of the latest submitted annual report for ``year``.

    Four queries whatever the number of reports and rows: the versions, their
    rows (streamed), their form entries, and the open obligations; the first and
    the last are skipped when the caller has them already.
    """
    if latest is None:
        latest = _latest_annual(year)
    version_state = {pk: state_id for state_id, (pk, _origin) in latest.items()}
    collected: dict[int, Collected] = {pk: Collected() for pk in version_state}
    if version_state:
        # explicit local ordering: the models' default ordering would join the versions
        # and reports tables only to sort
        rows = (
            FormRow.objects.filter(version_id__in=list(version_state))
            .order_by("version_id", "letter", "table", "position")
            .values_list("version_id", "letter", "table", "position", "data")
        )
        for version_id, letter, table, position, data in rows.iterator(chunk_size=CHUNK_SIZE):
            collected[version_id].add_row(letter, table, position, data)
        entries = (
            FormEntry.objects.filter(version_id__in=list(version_state))
            .order_by()
            .values_list("version_id", "letter", "status", "narratives")
        )
        for version_id, letter, status, narratives in entries:
            collected[version_id].entries[letter] = (status, narratives or {})
    timeline = obligations if obligations is not None else obligation_timeline()
    return {
        state_id: assess(collected[pk], timeline.open_articles(state_id, year))
        for state_id, (pk, _origin) in latest.items()
    }


@dataclass(frozen=True)
class StateLine:
    """One State Party of a year: its annual report's status and completeness."""

    state: Actor
    status: str  # on_time, late, not_submitted, not_yet_due
    version_id: int | None
    origin: str  # the report's; for "not submitted", synthetic in a synthetic year (absence_origin)
    required: tuple[str, ...]
    completeness: Completeness | None

    @property
    def synthetic(self) -> bool:
        return self.origin == Origin.SYNTHETIC

    @property
    def pct(self) -> float | None:
        return None if self.completeness is None else self.completeness.pct


def state_lines(year: int, today: dt.date | None = None, *, region: str = "") -> list[StateLine]:
    """Every State Party of ``year`` with its report's status and completeness (8 queries).

    The parties are those of the year (``compliance`` rule), only those of ``region``
    (``Actor.region``) when one is given; on time or late is decided by the first
    submission; completeness reads the latest submitted version, and is worked out
    only for the states listed. Sorted by state name.
    """
    day = today or timezone.localdate()
    facts = _facts(year, year)
    parties = facts.parties(year)
    found = Actor.objects.filter(pk__in=list(parties))
    states = (found.filter(region=region) if region else found).in_bulk()
    latest = {s: version for s, version in _latest_annual(year).items() if s in states}
    by_state = year_completeness(year, facts.obligations, latest)
    synthetic = synthetic_years()
    lines = []
    for state_id in states:
        submission = facts.submissions.get((state_id, year))
        if submission is not None:
            status = "on_time" if submission.on_time else "late"
        elif not _is_due(year, day):
            status = "not_yet_due"
        else:
            status = "not_submitted"
        version = latest.get(state_id)
        lines.append(
            StateLine(
                state=states[state_id],
                status=status,
                version_id=version[0] if version else None,
                origin=version[1] if version else absence_origin(status, year, synthetic),
                required=tuple(required_forms(facts.obligations.open_articles(state_id, year))),
                completeness=by_state.get(state_id),
            )
        )
    return sorted(lines, key=lambda line: line.state.name_en)


def parse_year(raw: str | None, default: int, today: dt.date | None = None) -> tuple[int, bool]:
    """``?year=`` within 1999..this year; the default and False when it is not."""
    this_year = (today or timezone.localdate()).year
    if raw is None or not raw.strip():
        return default, True
    try:
        year = int(raw.strip())
    except ValueError:
        return default, False
    if not FIRST_YEAR <= year <= this_year:
        return default, False
    return year, True


def parse_region(raw: str | None, known: Iterable[str]) -> tuple[str, bool]:
    """``?region=`` as one of the ``known`` regions, empty for every region.

    Returns the region and whether the input was valid; an unknown name gives every region.
    """
    wanted = (raw or "").strip()
    if not wanted:
        return "", True
    if wanted not in set(known):
        return "", False
    return wanted, True


__all__ = [
    "REQUIRED_FORMS",
    "Completeness",
    "FormCompleteness",
    "Missing",
    "StateLine",
    "assess",
    "content_completeness",
    "parse_region",
    "parse_year",
    "required_forms",
    "state_lines",
    "year_completeness",
]
