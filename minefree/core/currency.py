"""USD equivalents of amounts reported in other currencies.

Donors and states report in their own currency and fiscal year; totals need one unit. We use
the yearly average of the European Central Bank's daily reference rates bundled with the
``CurrencyConverter`` package (no network, same answer on every machine). A yearly average,
not a daily rate, because reports give a year, not a date. When the package has no rate for
a currency or a year, the USD amount is ``None`` and pages say "unknown": a rate is never
guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal

from currency_converter import CurrencyConverter, RateNotFoundError

USD = "USD"
#: ISO 4217 code for "no currency involved": in-kind support without a stated value.
NO_CURRENCY = "XXX"
CENT = Decimal("0.01")
SATURDAY = 5


@functools.cache
def _converter() -> CurrencyConverter:
    """Parsing the bundled rate file takes a moment: once per process."""
    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


@functools.cache
def usd_rate(currency: str, year: int) -> Decimal | None:
    """USD per unit of ``currency``: the mean of the year's published daily rates.

    A year still running averages the days published so far; a year with no published day
    (the future, or before the currency's first rate) has no rate.
    """
    code = currency.strip().upper()
    if code == USD:
        return Decimal(1)
    converter = _converter()
    if code not in converter.currencies:
        return None
    day, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    total, days = 0.0, 0
    while day <= end:
        if day.weekday() < SATURDAY:  # the ECB publishes on working days only
            try:
                total += converter.convert(1, code, USD, date=day)
                days += 1
            except RateNotFoundError:
                pass
        day += dt.timedelta(days=1)
    if not days:
        return None
    return Decimal(str(total / days))


def to_usd(amount: Decimal | int | float, currency: str, year: int) -> Decimal | None:
    """``amount`` in USD at the year's average rate, to the cent; ``None`` when unknown."""
    if currency.strip().upper() == USD:
        return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    rate = usd_rate(currency, year)
    if rate is None:
        return None
    return (Decimal(str(amount)) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
