"""Small arithmetic the parts of the analysis share: percentages, medians, sums of what is
known, and whether a year ends before a deadline. ``None`` is unknown and stays unknown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")
#: two figures of the same thing further apart than this share of the larger differ (as
#: donor and recipient figures in ``funding.totals``)
TOLERANCE = Decimal("0.05")


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to a tenth; unknown when either is unknown or
    the whole is zero (no plan is not a plan of zero)."""
    if part is None or whole is None or whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def known_sum(values: Iterable[Decimal | None]) -> Decimal | None:
    """The sum of the known values; ``None`` when none is known."""
    known = [v for v in values if v is not None]
    return sum(known, ZERO) if known else None


def differ(first: Decimal | None, second: Decimal | None) -> bool:
    """Two known figures that differ by more than ``TOLERANCE`` of the larger."""
    if first is None or second is None:
        return False
    larger = max(abs(first), abs(second))
    return larger > 0 and abs(first - second) > TOLERANCE * larger


def ends_by(year: int | None, deadline: dt.date | None) -> bool | None:
    """Whether work ending some time in ``year`` ends by ``deadline``: yes for an earlier
    year (or the deadline's year when the deadline is its last day), no for a later year,
    unknown within the deadline's year (the day is not projected) or without either."""
    if year is None or deadline is None:
        return None
    if year < deadline.year:
        return True
    if year > deadline.year:
        return False
    return True if (deadline.month, deadline.day) == (12, 31) else None


@dataclass(frozen=True)
class Ratio:
    """What was achieved against what was planned, summed over the years where both are
    known (``years``), as a percentage."""

    achieved_m2: Decimal
    planned_m2: Decimal
    percent: Decimal | None
    years: tuple[int, ...]

    @property
    def behind(self) -> bool:
        return self.percent is not None and self.percent < HUNDRED


def ratio(pairs: Iterable[tuple[int, Decimal | None, Decimal | None]]) -> Ratio:
    """``Ratio`` of (year, achieved, planned) triples, over the years both are known."""
    years, achieved, planned = [], ZERO, ZERO
    for year, done, plan in pairs:
        if done is None or plan is None:
            continue
        years.append(year)
        achieved += done
        planned += plan
    return Ratio(achieved, planned, percent(achieved, planned) if years else None, tuple(years))


def whole_m2(value: Decimal | None) -> Decimal | None:
    """An area to the square metre (rates and medians may carry fractions)."""
    return None if value is None else value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grouped(value: Decimal | int) -> str:
    """A whole figure with its thousands grouped the active language's way, for sentences."""
    whole = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return str(number_format(int(whole), force_grouping=True))


def when(day: dt.date) -> str:
    """A date as the active language writes it, for sentences."""
    return str(date_format(day, "DATE_FORMAT"))
