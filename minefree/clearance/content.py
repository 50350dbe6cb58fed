"""A request's content as one document: what the API's JSON, the XLSX template and the
pages all read into before one service stores it (``services.version_fill``).

Values are checked here, row by row, so a refusal names the table, the row and the
field (``milestones.3.area_m2``) whatever the request came from. ``None`` for a table
means "leave it as it is"; an empty list empties it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minefree.clearance.models import (
    SECTION_CODES,
    FundingSource,
    Hazard,
    Language,
    Method,
)

#: the largest table a request has any reason to hold (a state with many regions and years)
MAX_ROWS = 2000
MAX_AREA_M2 = Decimal("1e14")  # far more than the land of any state
#: a budget line's amount: more than any mine action programme's, and small enough that its
#: value in USD (at most about 3.5 times as much, the strongest currency) fits its column
MAX_AMOUNT = Decimal("1e12")
MAX_TEXT = 100_000


@dataclass(frozen=True)
class RemainingRow:
    region: str
    hazard: str
    area_m2: Decimal
    areas: int | None = None


@dataclass(frozen=True)
class ProgressRow:
    year: int
    planned_m2: Decimal | None
    achieved_m2: Decimal | None
    method: str = ""
    mine_type: str = ""


@dataclass(frozen=True)
class MilestoneRow:
    year: int
    method: str
    area_m2: Decimal
    areas: int | None = None


@dataclass(frozen=True)
class BudgetRow:
    year: int
    source: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class CapacityRow:
    year: int
    teams: int | None = None
    deminers: int | None = None
    dogs: int | None = None
    machines: int | None = None


@dataclass
class RequestContent:
    """Everything a version of a request holds; ``None`` leaves a part as it is."""

    submitted_on: dt.date | None = None
    requested_deadline: dt.date | None = None
    language: str | None = None
    narratives: dict[str, str] | None = None
    remaining: list[RemainingRow] | None = None
    previous_period: list[ProgressRow] | None = None
    milestones: list[MilestoneRow] | None = None
    budget: list[BudgetRow] | None = None
    capacity: list[CapacityRow] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


#: the tables of a request, by the name the API, the template and the refusals use
TABLES = ("remaining", "previous_period", "milestones", "budget", "capacity")


class _Reader:
    """Reads raw values (JSON, a spreadsheet's cells, a form's strings), collecting every
    problem under the field it concerns instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)

    def text(self, where: str, value: Any, *, required: bool = False, limit: int = 200) -> str:
        text = "" if value is None else str(value).strip()
        if "\x00" in text:
            self.fail(where, _("Text may not hold a NUL character."))
            return ""
        if required and not text:
            self.fail(where, _("This field is required."))
        if len(text) > limit:
            self.fail(where, _("At most %(n)s characters.") % {"n": limit})
            return text[:limit]
        return text

    def integer(
        self, where: str, value: Any, *, required: bool = False, low: int = 0, high: int = 10**9
    ) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(where, _("This field is required."))
            return None
        try:
            number = Decimal(str(value).strip().replace(" ", "").replace(",", ""))
        except InvalidOperation:
            self.fail(where, _("Enter a whole number."))
            return None
        if isinstance(value, bool) or number != number.to_integral_value():
            self.fail(where, _("Enter a whole number."))
            return None
        if not low <= number <= high:
            self.fail(
                where, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )
            return None
        return int(number)

    def decimal(
        self, where: str, value: Any, *, required: bool = False, high: Decimal = MAX_AREA_M2
    ) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(where, _("This field is required."))
            return None
        if isinstance(value, bool):
            self.fail(where, _("Enter a number."))
            return None
        try:
            number = Decimal(str(value).strip().replace(" ", "").replace(",", ""))
        except InvalidOperation:
            self.fail(where, _("Enter a number."))
            return None
        if not number.is_finite() or not 0 <= number <= high:
            self.fail(where, _("Enter a number from 0 to %(high)s.") % {"high": f"{high:,.0f}"})
            return None
        return number

    def year(self, where: str, value: Any) -> int:
        return self.integer(where, value, required=True, low=1999, high=2100) or 0

    def choice(self, where: str, value: Any, choices: Sequence[str], *, blank: bool = False) -> str:
        text = self.text(where, value, required=not blank, limit=40)
        if text and text not in choices:
            self.fail(where, _("One of: %(choices)s.") % {"choices": ", ".join(choices)})
        return text

    def date(self, where: str, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(where, _("Enter a date as YYYY-MM-DD."))
            return None

    def rows(self, name: str, value: Any) -> list[Mapping[str, Any]] | None:
        if value is None:
            return None
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
            self.fail(name, _("A list of rows."))
            return None
        if len(value) > MAX_ROWS:
            self.fail(name, _("At most %(n)s rows.") % {"n": MAX_ROWS})
            return None
        rows = []
        for n, row in enumerate(value):
            if not isinstance(row, Mapping):
                self.fail(f"{name}.{n}", _("A row is an object of values by field name."))
                continue
            rows.append(row)
        return rows


def read_content(data: Mapping[str, Any]) -> RequestContent:
    """A request's content from raw values; ``errors`` holds every problem by field."""
    r = _Reader()
    content = RequestContent(
        submitted_on=r.date("submitted_on", data.get("submitted_on")),
        requested_deadline=r.date("requested_deadline", data.get("requested_deadline")),
        language=(
            r.choice("language", data["language"], Language.values) if "language" in data else None
        ),
    )
    narratives = data.get("narratives")
    if narratives is not None:
        if not isinstance(narratives, Mapping):
            r.fail("narratives", _("Text by section code."))
        else:
            content.narratives = {}
            for code, text in narratives.items():
                if code not in SECTION_CODES:
                    r.fail(f"narratives.{code}", _("Not a section of a request."))
                    continue
                value = r.text(f"narratives.{code}", text, limit=MAX_TEXT)
                if value:
                    content.narratives[code] = value
    remaining = r.rows("remaining", data.get("remaining"))
    if remaining is not None:
        content.remaining = [
            RemainingRow(
                region=r.text(f"remaining.{n}.region", row.get("region"), required=True),
                hazard=r.choice(f"remaining.{n}.hazard", row.get("hazard"), Hazard.values),
                areas=r.integer(f"remaining.{n}.areas", row.get("areas")),
                area_m2=r.decimal(f"remaining.{n}.area_m2", row.get("area_m2"), required=True)
                or Decimal(0),
            )
            for n, row in enumerate(remaining)
        ]
    progress = r.rows("previous_period", data.get("previous_period"))
    if progress is not None:
        content.previous_period = [
            ProgressRow(
                year=r.year(f"previous_period.{n}.year", row.get("year")),
                method=r.choice(
                    f"previous_period.{n}.method", row.get("method"), Method.values, blank=True
                ),
                mine_type=r.text(f"previous_period.{n}.mine_type", row.get("mine_type"), limit=60),
                planned_m2=r.decimal(f"previous_period.{n}.planned_m2", row.get("planned_m2")),
                achieved_m2=r.decimal(f"previous_period.{n}.achieved_m2", row.get("achieved_m2")),
            )
            for n, row in enumerate(progress)
        ]
    milestones = r.rows("milestones", data.get("milestones"))
    if milestones is not None:
        content.milestones = [
            MilestoneRow(
                year=r.year(f"milestones.{n}.year", row.get("year")),
                method=r.choice(f"milestones.{n}.method", row.get("method"), Method.values),
                areas=r.integer(f"milestones.{n}.areas", row.get("areas")),
                area_m2=r.decimal(f"milestones.{n}.area_m2", row.get("area_m2"), required=True)
                or Decimal(0),
            )
            for n, row in enumerate(milestones)
        ]
    budget = r.rows("budget", data.get("budget"))
    if budget is not None:
        content.budget = [
            BudgetRow(
                year=r.year(f"budget.{n}.year", row.get("year")),
                source=r.choice(f"budget.{n}.source", row.get("source"), FundingSource.values),
                amount=r.decimal(
                    f"budget.{n}.amount", row.get("amount"), required=True, high=MAX_AMOUNT
                )
                or Decimal(0),
                currency=_currency(r, f"budget.{n}.currency", row.get("currency")),
            )
            for n, row in enumerate(budget)
        ]
    capacity = r.rows("capacity", data.get("capacity"))
    if capacity is not None:
        content.capacity = [
            CapacityRow(
                year=r.year(f"capacity.{n}.year", row.get("year")),
                **{
                    name: r.integer(f"capacity.{n}.{name}", row.get(name), high=1_000_000)
                    for name in ("teams", "deminers", "dogs", "machines")
                },
            )
            for n, row in enumerate(capacity)
        ]
        years = [c.year for c in content.capacity]
        if len(years) != len(set(years)):
            r.fail("capacity", _("One row per year."))
    content.errors = r.errors
    return content


def _currency(r: _Reader, where: str, value: Any) -> str:
    code = r.text(where, value, required=True, limit=3).upper()
    if code and (len(code) != 3 or not code.isalpha()):
        r.fail(where, _("An ISO 4217 code, e.g. USD or EUR."))
    return code


def checked(data: Mapping[str, Any]) -> RequestContent:
    """``read_content``, refusing with every problem by field when there is any."""
    content = read_content(data)
    if content.errors:
        raise ValidationError(content.errors)
    return content
