"""API shapes shared by every app: dates with precision, intervals, sources."""

from __future__ import annotations

from ninja import Schema

from minefree.core.dates import DateInterval, PartialDate
from minefree.core.models import Source


class SourceOut(Schema):
    title: str
    urls: list[str]
    edition: str

    @staticmethod
    def of(source: Source | None) -> SourceOut | None:
        if source is None:
            return None
        return SourceOut(title=source.title, urls=source.urls, edition=source.edition)


class PartialDateOut(Schema):
    value: str
    precision: str
    earliest: str
    latest: str

    @staticmethod
    def of(value: PartialDate | None) -> PartialDateOut | None:
        if value is None:
            return None
        return PartialDateOut(
            value=value.iso(),
            precision=str(value.precision),
            earliest=value.earliest.isoformat(),
            latest=value.latest.isoformat(),
        )


class IntervalOut(Schema):
    earliest: str
    latest: str
    exact: bool

    @staticmethod
    def of(value: DateInterval | None) -> IntervalOut | None:
        if value is None:
            return None
        return IntervalOut(
            earliest=value.earliest.isoformat(),
            latest=value.latest.isoformat(),
            exact=value.is_exact,
        )


class ErrorOut(Schema):
    code: str
    detail: str
