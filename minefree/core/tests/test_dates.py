import datetime as dt

import pytest

from minefree.core.dates import DateInterval, PartialDate, Precision, add_years


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2002", Precision.YEAR, dt.date(2002, 1, 1), dt.date(2002, 12, 31)),
        ("2013-12", Precision.MONTH, dt.date(2013, 12, 1), dt.date(2013, 12, 31)),
        ("2024-02", Precision.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2023-02", Precision.MONTH, dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        ("2029-12-31", Precision.DAY, dt.date(2029, 12, 31), dt.date(2029, 12, 31)),
    ],
)
def test_partial_date_covers_its_whole_period(text, precision, earliest, latest):
    value = PartialDate.parse(text)
    assert value.precision == precision
    assert (value.earliest, value.latest) == (earliest, latest)
    assert value.iso() == text


@pytest.mark.parametrize("text", ["", "20", "2020-13", "31/12/2029", "2020-02-30"])
def test_partial_date_rejects_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_year_only_date_prints_as_a_year():
    assert str(PartialDate.parse("1998")) == "1998"


def test_interval_knows_whether_it_is_exact():
    assert DateInterval(dt.date(1999, 3, 1), dt.date(1999, 3, 1)).is_exact
    interval = DateInterval(dt.date(2002, 7, 1), dt.date(2003, 6, 1))
    assert not interval.is_exact
    assert interval.iso() == "2002-07-01/2003-06-01"


def test_interval_cannot_run_backwards():
    with pytest.raises(ValueError):
        DateInterval(dt.date(2003, 1, 1), dt.date(2002, 1, 1))


def test_shifting_an_interval_by_180_days_crosses_leap_days_correctly():
    interval = DateInterval(dt.date(1999, 9, 1), dt.date(2000, 9, 1)).shift_days(180)
    assert interval.earliest == dt.date(2000, 2, 28)  # 2000 is a leap year: 29 Feb exists
    assert interval.latest == dt.date(2001, 2, 28)


def test_add_years_falls_back_from_29_february():
    assert add_years(dt.date(2004, 2, 29), 4) == dt.date(2008, 2, 29)
    assert add_years(dt.date(2004, 2, 29), 1) == dt.date(2005, 2, 28)
