"""The public Article 7 compliance dashboard and its CSV downloads.

Two tables: year by year over a range (``?from=&to=``), and state by state for
one year (``?year=``) with each report's field-level completeness
(``reporting.completeness``), narrowed to a region (``?region=``) and shown a page
at a time (``?page=``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from minefree.core.audit import ALL_VERSION_KEY
from minefree.core.charts import Series, line_chart
from minefree.core.exports import SafeCsvWriter
from minefree.core.pagecache import cached_public_page
from minefree.registry.selectors import parties_with_unknown_start, regions
from minefree.reporting.publication.completeness import (
    StateLine,
    parse_region,
    parse_year,
    state_lines,
)
from minefree.reporting.publication.compliance import (
    YearCompliance,
    compliance_by_year,
    default_years,
    multi_year_gaps,
    parse_years,
)
from minefree.reporting.specification.schema import FORMS

STATES_PER_PAGE = 25

CSV_COLUMNS = [
    "year",
    "parties",
    "submitted",
    "on_time",
    "late",
    "not_submitted",
    "rate_pct",
    "on_time_rate_pct",
    "art4_parties",
    "art4_submitted",
    "art5_parties",
    "art5_submitted",
    "art45_rate_pct",
    "synthetic_reports",
    "not_yet_due",
]


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _csv(rows: list[YearCompliance], first: int, last: int) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="article7-compliance-{first}-{last}.csv"'
    )
    writer = SafeCsvWriter(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.year,
                row.parties,
                row.submitted,
                row.on_time,
                row.late,
                row.not_submitted,
                _cell(row.rate_pct),
                _cell(row.on_time_rate_pct),
                row.art4_parties,
                row.art4_submitted,
                row.art5_parties,
                row.art5_submitted,
                _cell(row.art45_rate_pct),
                row.synthetic,
                int(row.not_yet_due),
            ]
        )
    return response


def _years(request: HttpRequest) -> tuple[int, int]:
    first, last, valid = parse_years(request.GET.get("from"), request.GET.get("to"))
    if not valid:
        messages.warning(
            request,
            _("The years asked for were not valid; showing every year from %(first)s to %(last)s.")
            % {"first": first, "last": last},
        )
    return first, last


STATE_CSV_COLUMNS = [
    "year",
    "state_iso3",
    "state_name_en",
    "status",
    "origin",
    "version_id",
    "completeness_pct",
    "required_forms",
    "missing_forms",
    "missing_items",
    *(f"form_{letter}_pct" for letter in FORMS),
]


def _states_csv(lines: list[StateLine], year: int) -> HttpResponse:
    """One line per State Party of the year; a form's column is blank where it is not required."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="article7-completeness-{year}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(STATE_CSV_COLUMNS)
    for line in lines:
        done = line.completeness
        by_form = {f.letter: f.pct for f in done.forms} if done else {}
        writer.writerow(
            [
                year,
                line.state.iso3 or "",
                line.state.name_en,
                line.status,
                line.origin,
                line.version_id or "",
                _cell(line.pct),
                " ".join(line.required),
                " ".join(done.missing_forms) if done else "",
                len(done.missing) if done else "",
                *(_cell(by_form.get(letter)) for letter in FORMS),
            ]
        )
    return response


def _state_year(request: HttpRequest, default: int) -> int:
    year, valid = parse_year(request.GET.get("year"), default)
    if not valid:
        messages.warning(
            request,
            _("The year asked for the state table was not valid; showing %(year)s.")
            % {"year": year},
        )
    return year


def _region(request: HttpRequest, known: list[str]) -> str:
    region, valid = parse_region(request.GET.get("region"), known)
    if not valid:
        messages.warning(request, _("The region asked for was not known; showing every region."))
    return region


@cached_public_page(
    lambda *_a, **_k: [ALL_VERSION_KEY],
    params=["from", "to", "year", "region", "page", "format"],
)
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """A chart, year-by-year rates, multi-year gaps, and one year's states with completeness.

    The state table is narrowed to a region and paginated; a page number that is not one
    gives the first page, one past the end the last (``Paginator.get_page``).
    """
    first, last = _years(request)
    rows = compliance_by_year(first, last)
    if request.GET.get("format") == "csv":
        return _csv(rows, first, last)
    chart = line_chart(
        title=_("Annual reports submitted, share of States Parties"),
        series=[
            Series(_("Submitted"), [(r.year, r.rate_pct) for r in rows]),
            Series(_("On time"), [(r.year, r.on_time_rate_pct) for r in rows]),
            Series(
                _("States with open Art. 4/5 obligations"),
                [(r.year, r.art45_rate_pct) for r in rows],
            ),
        ],
        unit="%",
        empty_text=_("No year in this range is due yet."),
        width=720,  # alone on its row: drawn wider than the country charts so text is not enlarged
        height=280,
    )
    state_year = _state_year(request, last)
    known_regions = regions()
    region = _region(request, known_regions)
    lines = state_lines(state_year, region=region)
    shown = {"from": first, "to": last, "year": state_year, "region": region}
    context = {
        "rows": rows,
        "state_year": state_year,
        "state_lines": lines,
        "state_page": Paginator(lines, STATES_PER_PAGE).get_page(request.GET.get("page")),
        # the paging links keep the filters as shown, not as typed
        "state_query": urlencode({k: v for k, v in shown.items() if v != ""}),
        "regions": known_regions,
        "region": region,
        "states_synthetic": any(line.synthetic for line in lines),
        "chart": chart,
        "gaps": multi_year_gaps(last=last),
        "first": first,
        "last": last,
        "any_synthetic": any(r.synthetic for r in rows),
        "unknown_start": parties_with_unknown_start().count(),
    }
    return render(request, "reporting/compliance.html", context)


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY], params=["from", "to"])
@require_safe
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's table as CSV (the same as ``?format=csv``)."""
    first, last, _valid = parse_years(request.GET.get("from"), request.GET.get("to"))
    return _csv(compliance_by_year(first, last), first, last)


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY], params=["year"])
@require_safe
def dashboard_states_csv(request: HttpRequest) -> HttpResponse:
    """One year's States Parties with status and completeness, as CSV (``?year=``)."""
    _first, last = default_years()
    year, valid = parse_year(request.GET.get("year"), last)
    if not valid:
        return HttpResponse(
            _("year must be a year from 1999 to this year."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return _states_csv(state_lines(year), year)
