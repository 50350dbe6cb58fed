"""Article 17: entry into force, and the initial report due 180 days later."""

import datetime as dt

import pytest

from minefree.core.dates import PartialDate
from minefree.registry.models import INITIAL_REPORT_DAYS
from minefree.registry.treaty import entry_into_force, entry_into_force_interval


@pytest.mark.parametrize(
    ("deposit", "expected"),
    [
        (dt.date(1997, 12, 3), dt.date(1999, 3, 1)),  # among the first instruments
        (dt.date(1998, 9, 15), dt.date(1999, 3, 1)),  # before the 40th
        (dt.date(1998, 9, 16), dt.date(1999, 3, 1)),  # the 40th itself (Burkina Faso)
        (dt.date(1998, 9, 17), dt.date(1999, 3, 1)),  # after: sixth month after September
        (dt.date(1998, 10, 1), dt.date(1999, 4, 1)),
        (dt.date(1998, 11, 27), dt.date(1999, 5, 1)),  # Thailand: 1 May 1999
        (dt.date(2002, 9, 11), dt.date(2003, 3, 1)),  # Afghanistan: 1 March 2003
        (dt.date(2017, 12, 29), dt.date(2018, 6, 1)),  # December deposit crosses the year
        (dt.date(2017, 12, 13), dt.date(2018, 6, 1)),  # Sri Lanka: 1 June 2018
        (dt.date(2025, 3, 12), dt.date(2025, 9, 1)),  # Marshall Islands
        (dt.date(2025, 6, 25), dt.date(2025, 12, 1)),  # Tonga
        (dt.date(2000, 2, 29), dt.date(2000, 8, 1)),  # leap day deposit (Albania)
        (dt.date(2007, 7, 31), dt.date(2008, 1, 1)),  # July deposit crosses the year
    ],
)
def test_entry_into_force_follows_article_17(deposit, expected):
    assert entry_into_force(deposit) == expected


def test_year_only_deposit_gives_an_interval():
    interval = entry_into_force_interval(PartialDate.parse("2002"))
    assert (interval.earliest, interval.latest) == (dt.date(2002, 7, 1), dt.date(2003, 6, 1))


def test_year_only_deposit_in_1998_spans_the_fortieth_instrument():
    interval = entry_into_force_interval(PartialDate.parse("1998"))
    assert (interval.earliest, interval.latest) == (dt.date(1999, 3, 1), dt.date(1999, 6, 1))


def test_month_only_deposit_in_september_1998_is_exact():
    interval = entry_into_force_interval(PartialDate.parse("1998-09"))
    assert interval.is_exact and interval.earliest == dt.date(1999, 3, 1)


def test_initial_report_is_due_180_days_after_entry_into_force_in_a_leap_year():
    eif = entry_into_force(dt.date(2003, 8, 20))
    assert eif == dt.date(2004, 2, 1)
    assert eif + dt.timedelta(days=INITIAL_REPORT_DAYS) == dt.date(2004, 7, 30)
