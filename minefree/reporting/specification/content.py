"""A version's content in memory: what validation, diffs, charts and exports read.

Loading it costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from minefree.reporting.models import FormEntry, FormRow, FormStatus, ReportVersion
from minefree.reporting.specification.schema import (
    ACTOR,
    AMOUNT,
    AREA_M2,
    CHOICE,
    CURRENCY,
    DATE,
    FORMS,
    INTEGER,
    YEAR,
    Field,
)


@dataclass
class Content:
    version: ReportVersion
    rows: dict[tuple[str, str], list[FormRow]] = field(default_factory=dict)
    entries: dict[str, FormEntry] = field(default_factory=dict)

    def table(self, letter: str, table: str) -> list[FormRow]:
        return self.rows.get((letter, table), [])

    def status(self, letter: str) -> str:
        entry = self.entries.get(letter)
        return entry.status if entry else FormStatus.CHANGED

    def applicable(self, letter: str) -> bool:
        return self.status(letter) != FormStatus.NOT_APPLICABLE

    def total(self, letter: str, table: str, name: str, **where: str) -> Decimal:
        """Sum of a numeric field over the rows that match ``where`` (ignoring bad values)."""
        result = Decimal(0)
        for row in self.table(letter, table):
            if any(row.data.get(k) != v for k, v in where.items()):
                continue
            value = as_number(row.data.get(name))
            if value is not None:
                result += value
        return result

    def is_empty(self, letter: str, table: str) -> bool:
        return not self.table(letter, table)


def load_content(version: ReportVersion) -> Content:
    rows: dict[tuple[str, str], list[FormRow]] = defaultdict(list)
    for row in FormRow.objects.filter(version=version).select_related("counterpart"):
        rows[(row.letter, row.table)].append(row)
    entries = {e.letter: e for e in FormEntry.objects.filter(version=version)}
    return Content(version, dict(rows), entries)


def as_number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).replace(",", "").replace("\u202f", "").strip())
    except InvalidOperation:
        return None


def grouped(value: Decimal | int | float) -> str:
    """A number with its thousands separated by a thin space, as the Convention's documents do."""
    return f"{value:,}".replace(",", "\u202f")


def coerce(spec: Field, raw: Any) -> Any:
    """The stored form of a typed value; what cannot be read is kept as typed (validation flags it)."""
    if raw is None:
        return None
    text = str(raw).strip()
    if text == "":
        return None
    if spec.kind in (INTEGER, YEAR):
        number = as_number(text)
        if number is not None and number == number.to_integral_value():
            return int(number)
        return text
    if spec.kind in (AREA_M2, AMOUNT):
        number = as_number(text)
        if number is None:
            return text
        return int(number) if number == number.to_integral_value() else float(number)
    if spec.kind == DATE:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return text
    if spec.kind == CURRENCY:
        return text.upper()
    if spec.kind in (CHOICE, ACTOR):
        return text
    return text


def form_letters() -> list[str]:
    return list(FORMS)
