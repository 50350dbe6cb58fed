"""API shapes shared by every app: dates with precision, intervals, sources."""

from __future__ import annotations

from typing import Any, TypeVar

from ninja import Field, Schema

from minefree.core.dates import DateInterval, PartialDate
from minefree.core.models import Source

S = TypeVar("S", bound=Schema)


def from_record(schema: type[S], record: Any, **computed: Any) -> S:
    """``schema`` filled from ``record``'s attributes of the same names; ``computed`` gives
    the fields that are not plain attributes (codes of related records, labels, nested)."""
    names = schema.model_fields.keys() - computed.keys()
    return schema(**{name: getattr(record, name) for name in names}, **computed)


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
    """Every refusal: a stable ``code``, a sentence for people, and for refused values
    the ``fields`` they concern (a field's name, or ``__all__`` for the whole record)."""

    code: str
    detail: str
    fields: dict[str, list[str]] | None = None
    version: str | None = Field(
        None, description="412 only: the record's current version (also its ETag)"
    )


MAX_LIMIT = 200
#: Far beyond any list, but within every database's integer: a larger offset is an error.
MAX_OFFSET = 1_000_000_000


class PageQuery(Schema):
    """``limit`` and ``offset`` of every paginated list; out of range is a 422, not a 500."""

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"1 to {MAX_LIMIT} items")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"0 to {MAX_OFFSET:,}")
