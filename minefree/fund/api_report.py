"""The yearly report of the fund through the API (attached to ``fund.api.router``): the
same figures as the page, each with the records it is counted from and its synthetic part.
Public, like the page: it names only granted applications."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Schema

from minefree.fund import report
from minefree.fund.api import router
from minefree.fund.report_views import FIRST_YEAR, last_year


class ReportOut(Schema):
    year: int
    language: str
    #: false: nothing is recorded for the fund in the year (the parts are then empty)
    has_data: bool
    #: some figures come from synthetic demo data (counted apart in each figure)
    synthetic: bool
    background: report.Background
    contributions: report.Contributions
    calls: report.Calls
    visits: list[report.Visit]
    books: list[report.Books]
    outcomes: list[report.Outcome]
    lessons: list[report.Lesson]
    follow_ups: list[report.FollowUp]
    forward: report.LookingForward
    #: every record a figure is counted from (the report's annex)
    records: list[report.Ref]


@router.get(
    "/report/{year}",
    response=ReportOut,
    summary="The fund's yearly report to the Meeting of the States Parties",
    description="Contributions, calls and applications, visits held, money in the year and "
    "at 31 December (from the ledger), outcomes, lessons, open follow-up actions and what "
    "lies ahead. Every figure lists its records (`refs`: kind and id) and the part of it "
    "from synthetic demo data (`synthetic`); unknown amounts are null. Labels in the "
    "language of `lang`, else of the Accept-Language header.",
)
def year_report(
    request: HttpRequest, year: int, lang: Literal["en", "fr", "es"] | None = None
) -> ReportOut:
    if not FIRST_YEAR <= year <= last_year():
        raise Http404("The fund was established in 2021: no report for that year.")
    language = lang or translation.get_language_from_request(request) or settings.LANGUAGE_CODE
    with translation.override(language):
        r = report.build(year)
        return ReportOut(
            year=r.year,
            language=language,
            has_data=r.has_data,
            synthetic=r.synthetic,
            background=r.background,
            contributions=r.contributions,
            calls=r.calls,
            visits=r.visits,
            books=r.books,
            outcomes=r.outcomes,
            lessons=r.lessons,
            follow_ups=r.follow_ups,
            forward=r.forward,
            records=r.records,
        )
