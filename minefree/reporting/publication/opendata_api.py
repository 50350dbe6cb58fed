"""Open data API: the same two datasets and filters as the download page, paginated.

The query string is parsed by ``opendata.parse_filters``, the very form the page
uses, so the page, the files and the API cannot disagree about a filter. The
schema below only documents the parameters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minefree.core.schemas import PageQuery
from minefree.reporting.publication import opendata
from minefree.reporting.publication.opendata import OpenDataFilters

router = Router(tags=["open data"])

PUBLISHED = (
    "Published reports only: for each report its latest submitted version; drafts and "
    "superseded versions are never included. Every item has an `origin`: `synthetic` marks "
    "invented demo data."
)


class OpenDataQuery(PageQuery):
    state: list[str] = Field(
        default_factory=list,
        description="ISO 3166 alpha-3 code; repeat (`state=PER&state=COL`) or separate by commas",
    )
    year_from: str = Field("", description="First reporting year, 1999 at the earliest")
    year_to: str = Field("", description="Last reporting year; not before `year_from`")
    form: str = Field("", description="Form letter A–J (form rows only)")
    table: str = Field("", description="Table code, e.g. `land_release` (form rows only)")
    origin: str = Field("", description="`reported`, `synthetic`, `entered` or `reference`")


class ReportLineOut(Schema):
    state_iso3: str
    state_name_en: str
    state_name_fr: str
    state_name_es: str
    year: int
    kind: str
    version: int = Field(description="Number of the latest submitted version")
    submitted_at: dt.datetime | None = Field(description="When this version was submitted (UTC)")
    first_submitted_at: dt.datetime | None = Field(
        description="When the report's first version was submitted; decides `on_time`"
    )
    due_date: dt.date
    on_time: bool | None = Field(description="First version submitted by the due date, Geneva time")
    origin: str
    url: str = Field(description="The version's page")


class ReportLinesOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReportLineOut]


class RowLineOut(Schema):
    state_iso3: str
    state_name_en: str
    year: int
    kind: str
    version: int
    form: str
    table: str
    position: int
    data: dict[str, Any] = Field(
        description="Every field of the table, null where blank, values as the state gave them"
    )
    counterpart_iso3: str = Field(description="ISO code of the matched counterpart state, if any")
    counterpart_slug: str = Field(description="Registry identifier of the matched counterpart")
    origin: str


class RowLinesOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[RowLineOut]


def _filters(request: HttpRequest, query: OpenDataQuery) -> OpenDataFilters:
    filters, form = opendata.parse_filters(request.GET)
    if filters is None:
        raise ValidationError(form.error_text())
    return filters


@router.get(
    "/open-data/reports",
    response=ReportLinesOut,
    summary="Published Article 7 reports, one item per report",
    description=PUBLISHED + " The `form` and `table` filters do not apply to this dataset.",
    operation_id="minefree_reporting_opendata_api_reports",  # stable across module moves
)
def reports(request: HttpRequest, query: Query[OpenDataQuery]) -> ReportLinesOut:
    filters = _filters(request, query)
    lines = opendata.report_lines(
        filters,
        base_url=request.build_absolute_uri("/").rstrip("/"),
        start=query.offset,
        stop=query.offset + query.limit,
    )
    return ReportLinesOut(
        count=opendata.report_count(filters),
        limit=query.limit,
        offset=query.offset,
        items=[ReportLineOut(**line) for line in lines],
    )


@router.get(
    "/open-data/rows",
    response=RowLinesOut,
    summary="Rows of the forms of the published Article 7 reports, one item per row",
    description=PUBLISHED,
    operation_id="minefree_reporting_opendata_api_rows",  # stable across module moves
)
def rows(request: HttpRequest, query: Query[OpenDataQuery]) -> RowLinesOut:
    filters = _filters(request, query)
    lines = opendata.row_lines(filters, start=query.offset, stop=query.offset + query.limit)
    return RowLinesOut(
        count=opendata.row_count(filters),
        limit=query.limit,
        offset=query.offset,
        items=[RowLineOut(**line) for line in lines],
    )
