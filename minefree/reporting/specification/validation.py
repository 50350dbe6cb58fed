"""Validation rules for Article 7 reports.

Errors make a report internally wrong and block submission. Warnings depend on
other years or on judgement: submission is allowed once each has a written
explanation, which is published with the report. Every rule has a stable code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from minefree.reporting.specification.content import Content, as_number, grouped
from minefree.reporting.specification.schema import (
    CHOICE,
    DATE,
    FORMS,
    INTEGER,
    NUMERIC,
    YEAR,
    Field,
)

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    letter: str
    message: str
    table: str = ""
    row_id: int | None = None
    field: str = ""
    target: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def field_anchor(self) -> str:
        """The id of the field a finding is about on its form page ("" for a whole table)."""
        if self.field == "declared_total" and self.table:
            return total_field_id(self.table)
        return ""

    @property
    def anchor(self) -> str:
        """Where on the form page a finding points: its row, its field, its table or the form."""
        if self.row_id:
            return f"row-{self.row_id}"
        return self.field_anchor or (f"table-{self.table}" if self.table else "")


def total_field_id(table: str) -> str:
    """The HTML id of the input that declares a table's total (kept stable for links)."""
    return f"total-{table}"


@dataclass(frozen=True)
class Context:
    """What validation needs beyond the version itself."""

    open_article4: bool = False
    open_article5: bool = False
    previous: Content | None = None  # the latest submitted report of the year before


def _fmt(value: Decimal) -> str:
    return grouped(value.quantize(Decimal(1)))


def _field_issues(content: Content) -> list[Issue]:
    issues: list[Issue] = []
    report = content.version.report
    for letter, form in FORMS.items():
        if not content.applicable(letter):
            continue
        for table in form.tables:
            for row in content.table(letter, table.code):
                for spec in table.fields:
                    issues += _check_value(
                        spec,
                        row.data.get(spec.name),
                        row,
                        letter,
                        table.code,
                        report.period_start,
                        report.period_end,
                    )
        entry = content.entries.get(letter)
        for table in form.tables:
            declared = as_number((entry.declared_totals if entry else {}).get(table.code))
            if table.total_of and declared is not None:
                summed = content.total(letter, table.code, table.total_of)
                if summed != declared:
                    issues.append(
                        Issue(
                            "MF-E02",
                            ERROR,
                            letter,
                            _(
                                "The declared total (%(declared)s) differs from the sum of the rows "
                                "(%(sum)s)."
                            )
                            % {"declared": _fmt(declared), "sum": _fmt(summed)},
                            table=table.code,
                            field="declared_total",
                        )
                    )
    return issues


def _check_value(
    spec: Field, value: Any, row: Any, letter: str, table: str, start: dt.date, end: dt.date
) -> list[Issue]:
    where = {"letter": letter, "table": table, "row_id": row.pk, "field": spec.name}
    if value is None or value == "":
        if spec.required:
            return [
                Issue(
                    "MF-E04",
                    ERROR,
                    message=_("“%(field)s” is required in a filled row.") % {"field": spec.label},
                    **where,
                )
            ]
        return []
    if spec.kind in NUMERIC:
        number = as_number(value)
        if number is None:
            return [
                Issue(
                    "MF-E05",
                    ERROR,
                    message=_("“%(field)s” must be a number.") % {"field": spec.label},
                    **where,
                )
            ]
        if spec.kind in (INTEGER, YEAR) and number != number.to_integral_value():
            return [
                Issue(
                    "MF-E05",
                    ERROR,
                    message=_("“%(field)s” must be a whole number.") % {"field": spec.label},
                    **where,
                )
            ]
        if number < 0 and not spec.signed:
            return [
                Issue(
                    "MF-E01",
                    ERROR,
                    message=_("“%(field)s” cannot be negative.") % {"field": spec.label},
                    **where,
                )
            ]
    if spec.kind == DATE:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return [
                Issue(
                    "MF-E05",
                    ERROR,
                    message=_("“%(field)s” must be a date (YYYY-MM-DD).") % {"field": spec.label},
                    **where,
                )
            ]
        if not start <= day <= end:
            return [
                Issue(
                    "MF-E03",
                    ERROR,
                    message=_("%(date)s is outside the reporting period (%(start)s to %(end)s).")
                    % {"date": day.isoformat(), "start": start.isoformat(), "end": end.isoformat()},
                    **where,
                )
            ]
    if spec.kind == CHOICE and str(value) not in {c for c, _label in spec.choices}:
        return [
            Issue(
                "MF-E05",
                ERROR,
                message=_("“%(value)s” is not a valid choice for “%(field)s”.")
                % {"value": value, "field": spec.label},
                **where,
            )
        ]
    return []


def _stockpile_balance(content: Content, previous: Content) -> list[Issue]:
    if not (content.applicable("B") and previous.applicable("B")):
        return []
    before = previous.total("B", "stockpile", "quantity")
    destroyed = content.total("G", "destroyed", "quantity", category="art4") + content.total(
        "G", "destroyed", "quantity", category="bis"
    )
    transferred = content.total("D", "retained", "quantity", purpose="transferred_destruction")
    discovered = content.total("B", "previously_unknown", "quantity")
    expected = before - destroyed - transferred + discovered
    now = content.total("B", "stockpile", "quantity")
    if now == expected:
        return []
    return [
        Issue(
            "MF-W01",
            WARNING,
            "B",
            _(
                "Stockpile does not balance: %(before)s last year − %(destroyed)s destroyed − "
                "%(transferred)s transferred + %(discovered)s discovered = %(expected)s, but %(now)s "
                "is reported."
            )
            % {
                "before": _fmt(before),
                "destroyed": _fmt(destroyed),
                "transferred": _fmt(transferred),
                "discovered": _fmt(discovered),
                "expected": _fmt(expected),
                "now": _fmt(now),
            },
            table="stockpile",
            target="stockpile",
        )
    ]


def _retained_balance(content: Content) -> list[Issue]:
    issues = []
    for row in content.table("D", "retained"):
        values = [as_number(row.data.get(k)) for k in ("start_of_year", "used", "end_of_year")]
        start, used, end = values
        if start is None or used is None or end is None:
            continue
        transferred = as_number(row.data.get("transferred")) or Decimal(0)
        expected = start - used + transferred
        if expected != end:
            issues.append(
                Issue(
                    "MF-W02",
                    WARNING,
                    "D",
                    _(
                        "Retained mines do not balance for %(type)s: %(start)s − %(used)s used "
                        "± %(transferred)s transferred = %(expected)s, but %(end)s at the end of the year."
                    )
                    % {
                        "type": row.data.get("mine_type") or "?",
                        "start": _fmt(start),
                        "used": _fmt(used),
                        "transferred": _fmt(transferred),
                        "expected": _fmt(expected),
                        "end": _fmt(end),
                    },
                    table="retained",
                    row_id=row.pk,
                    target=f"row:{row.data.get('mine_type')}",
                )
            )
    return issues


def _contamination(content: Content, previous: Content) -> list[Issue]:
    if not (content.applicable("C") and previous.applicable("C")):
        return []
    issues = []
    before = previous.total("C", "mined_areas", "area_m2")
    released = content.total("C", "land_release", "area_m2")
    found = content.total("C", "newly_found", "area_m2")
    now = content.total("C", "mined_areas", "area_m2")
    expected = before - released + found
    if before and now != expected:
        issues.append(
            Issue(
                "MF-W03",
                WARNING,
                "C",
                _(
                    "Remaining contamination does not balance: %(before)s m² last year − %(released)s m² "
                    "released + %(found)s m² newly found or re-surveyed = %(expected)s m², but %(now)s m² "
                    "is reported. Update the remaining area of each region where land was released or "
                    "found (the table “Remaining mined areas”; last year's figures were copied as they "
                    "were), or explain the difference."
                )
                % {
                    "before": _fmt(before),
                    "released": _fmt(released),
                    "found": _fmt(found),
                    "expected": _fmt(expected),
                    "now": _fmt(now),
                },
                table="mined_areas",
                target="contamination",
            )
        )
    reported: dict[str, Decimal] = defaultdict(Decimal)
    for row in previous.table("C", "mined_areas"):
        reported[str(row.data.get("region") or "").strip().casefold()] += as_number(
            row.data.get("area_m2")
        ) or Decimal(0)
    released_by_region: dict[str, Decimal] = defaultdict(Decimal)
    names: dict[str, str] = {}
    for row in content.table("C", "land_release"):
        key = str(row.data.get("region") or "").strip().casefold()
        names[key] = str(row.data.get("region") or "")
        released_by_region[key] += as_number(row.data.get("area_m2")) or Decimal(0)
    for key, area in sorted(released_by_region.items()):
        if key and area > reported.get(key, Decimal(0)):
            issues.append(
                Issue(
                    "MF-W04",
                    WARNING,
                    "C",
                    _(
                        "%(area)s m² released in %(region)s, more than the %(reported)s m² reported there "
                        "last year. Check that the region is spelt as last year and the area is right; "
                        "land found during the year goes in “Newly found or re-surveyed areas”."
                    )
                    % {
                        "area": _fmt(area),
                        "region": names[key],
                        "reported": _fmt(reported.get(key, Decimal(0))),
                    },
                    table="land_release",
                    target=f"region:{names[key]}",
                )
            )
    return issues


def _obligation_gaps(content: Content, context: Context) -> list[Issue]:
    issues = []
    if context.open_article5:
        for table in ("mined_areas", "land_release"):
            if content.is_empty("C", table) or not content.applicable("C"):
                issues.append(
                    Issue(
                        "MF-W05",
                        WARNING,
                        "C",
                        _("%(state)s has an open Article 5 obligation but “%(table)s” is empty.")
                        % {
                            "state": content.version.report.state.name,
                            "table": FORMS["C"].table(table).label,
                        },
                        table=table,
                        target=table,
                    )
                )
    if context.open_article4:
        for letter, table in (("B", "stockpile"), ("G", "destroyed")):
            if content.is_empty(letter, table) or not content.applicable(letter):
                issues.append(
                    Issue(
                        "MF-W06",
                        WARNING,
                        letter,
                        _(
                            "%(state)s has an open Article 4 obligation but Form %(letter)s is empty."
                        )
                        % {"state": content.version.report.state.name, "letter": letter},
                        table=table,
                        target=table,
                    )
                )
    return issues


def validate(content: Content, context: Context) -> list[Issue]:
    issues = _field_issues(content)
    issues += _retained_balance(content)
    if context.previous is not None:
        issues += _stockpile_balance(content, context.previous)
        issues += _contamination(content, context.previous)
    issues += _obligation_gaps(content, context)
    return issues


def contact_issues(content: Content) -> list[Issue]:
    """A report goes out with someone to ask: a name and an e-mail or telephone (MF-W07).

    A warning, not an error: a state may have a reason (the focal point is being replaced);
    it says so in the explanation, which is published with the report.
    """
    version = content.version
    if version.contact_name.strip() and (
        version.contact_email.strip() or version.contact_phone.strip()
    ):
        return []
    return [
        Issue(
            "MF-W07",
            WARNING,
            "",
            _(
                "The point of contact is incomplete: give a name and an e-mail address or a "
                "telephone number, so that questions on this report reach someone."
            ),
            target="contact",
        )
    ]


def before_submission(content: Content, context: Context) -> list[Issue]:
    """Every check a draft passes before it is submitted: the forms', then the cover page's."""
    return validate(content, context) + contact_issues(content)


def unexplained(issues: list[Issue], explained: set[tuple[str, str]]) -> list[Issue]:
    return [i for i in issues if not i.is_error and (i.code, i.target) not in explained]


@dataclass(frozen=True)
class RegionUpdate:
    """What subtracting a region's released land from its remaining area would do.

    ``row_id`` is set only when the update is unambiguous: one remaining-area row in the
    region, still at last year's figure, and a result that is not negative. Otherwise
    ``reason`` says why the focal point has to decide.
    """

    region: str
    last_year: Decimal
    released: Decimal
    found: Decimal
    current: Decimal
    row_id: int | None = None
    reason: str = ""

    @property
    def proposed(self) -> Decimal:
        return self.last_year - self.released + self.found


def _region_key(row: Any) -> str:
    return str(row.data.get("region") or "").strip().casefold()


def remaining_area_updates(content: Content, previous: Content | None) -> list[RegionUpdate]:
    """Per region with land released or found this year, the remaining area it implies."""
    if previous is None or not content.applicable("C"):
        return []
    last: dict[str, Decimal] = defaultdict(Decimal)
    for row in previous.table("C", "mined_areas"):
        last[_region_key(row)] += as_number(row.data.get("area_m2")) or Decimal(0)
    names: dict[str, str] = {}
    sums: dict[str, dict[str, Decimal]] = {
        "land_release": defaultdict(Decimal),
        "newly_found": defaultdict(Decimal),
    }
    for table, by_region in sums.items():
        for row in content.table("C", table):
            key = _region_key(row)
            if key:
                names.setdefault(key, str(row.data["region"]).strip())
                by_region[key] += as_number(row.data.get("area_m2")) or Decimal(0)
    remaining: dict[str, list[Any]] = defaultdict(list)
    for row in content.table("C", "mined_areas"):
        remaining[_region_key(row)].append(row)
    updates = []
    for key, name in sorted(names.items()):
        released, found = sums["land_release"][key], sums["newly_found"][key]
        rows = remaining.get(key, [])
        current = sum(
            (as_number(r.data.get("area_m2")) or Decimal(0) for r in rows), start=Decimal(0)
        )
        update = RegionUpdate(name, last.get(key, Decimal(0)), released, found, current)
        if current == update.proposed:
            continue  # already balanced
        if key not in last:
            reason = _("no remaining area was reported in this region last year")
        elif len(rows) != 1:
            reason = (
                _("no remaining-area row for this region this year")
                if not rows
                else _("several rows for this region (for instance SHA and CHA): say which changed")
            )
        elif current != update.last_year:
            reason = _("the remaining area was already changed this year")
        elif update.proposed < 0:
            reason = _("more was released than remained: check the figures")
        else:
            updates.append(
                RegionUpdate(name, update.last_year, released, found, current, row_id=rows[0].pk)
            )
            continue
        updates.append(
            RegionUpdate(name, update.last_year, released, found, current, reason=reason)
        )
    return updates
