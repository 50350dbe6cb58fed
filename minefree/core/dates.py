"""Partial dates and date intervals.

Treaty sources often give only a year or a month. minefree stores the first day
of the known period together with its precision and never invents the rest;
anything derived from a partial date is a ``DateInterval``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import overload

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\s*$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day, the month or only the year."""

    value: dt.date
    precision: str = Precision.DAY

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ``ValueError`` otherwise."""
        match = _ISO.match(text or "")
        if not match:
            raise ValueError(f"not a date: {text!r}")
        year, month, day = match.groups()
        if day:
            return cls(dt.date(int(year), int(month), int(day)), Precision.DAY)
        if month:
            return cls(dt.date(int(year), int(month), 1), Precision.MONTH)
        return cls(dt.date(int(year), 1, 1), Precision.YEAR)

    @classmethod
    def from_fields(cls, value: dt.date | None, precision: str) -> PartialDate | None:
        if value is None:
            return None
        return cls(value, precision or Precision.DAY)

    @property
    def earliest(self) -> dt.date:
        return self.value

    @property
    def latest(self) -> dt.date:
        if self.precision == Precision.YEAR:
            return dt.date(self.value.year, 12, 31)
        if self.precision == Precision.MONTH:
            last = calendar.monthrange(self.value.year, self.value.month)[1]
            return dt.date(self.value.year, self.value.month, last)
        return self.value

    def interval(self) -> DateInterval:
        return DateInterval(self.earliest, self.latest)

    def iso(self) -> str:
        if self.precision == Precision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()

    def __str__(self) -> str:
        if self.precision == Precision.YEAR:
            return str(self.value.year)
        if self.precision == Precision.MONTH:
            return formats.date_format(self.value, "YEAR_MONTH_FORMAT")
        return formats.date_format(self.value, "DATE_FORMAT")


@dataclass(frozen=True)
class DateInterval:
    """A date that lies somewhere between two known bounds (inclusive)."""

    earliest: dt.date
    latest: dt.date

    def __post_init__(self) -> None:
        if self.latest < self.earliest:
            raise ValueError("an interval cannot end before it starts")

    @property
    def is_exact(self) -> bool:
        return self.earliest == self.latest

    def shift_days(self, days: int) -> DateInterval:
        delta = dt.timedelta(days=days)
        return DateInterval(self.earliest + delta, self.latest + delta)

    def iso(self) -> str:
        if self.is_exact:
            return self.earliest.isoformat()
        return f"{self.earliest.isoformat()}/{self.latest.isoformat()}"

    def __str__(self) -> str:
        first = formats.date_format(self.earliest, "DATE_FORMAT")
        if self.is_exact:
            return first
        return f"{first} – {formats.date_format(self.latest, 'DATE_FORMAT')}"


def add_years(day: dt.date, years: int) -> dt.date:
    """Same calendar day ``years`` later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class PartialDateOf:
    """A model attribute reading a date column and its precision column as a ``PartialDate``.

    ``signature = PartialDateOf("signature_date", "signature_precision")`` replaces a
    property per pair of columns; None where the date is unknown.
    """

    def __init__(self, value_field: str, precision_field: str) -> None:
        self.value_field = value_field
        self.precision_field = precision_field

    @overload
    def __get__(self, instance: None, owner: type) -> PartialDateOf: ...

    @overload
    def __get__(self, instance: object, owner: type) -> PartialDate | None: ...

    def __get__(self, instance: object | None, owner: type) -> PartialDateOf | PartialDate | None:
        if instance is None:
            return self
        return PartialDate.from_fields(
            getattr(instance, self.value_field), getattr(instance, self.precision_field)
        )
