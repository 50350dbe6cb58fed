"""The public Article 7 compliance dashboard and its CSV download."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minefree.core.charts import Series, line_chart
from minefree.registry.selectors import parties_with_unknown_start
from minefree.reporting.compliance import (
    YearCompliance,
    compliance_by_year,
    multi_year_gaps,
    parse_years,
)

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
    writer = csv.writer(response)
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


def dashboard(request: HttpRequest) -> HttpResponse:
    """Year-by-year reporting rates, a chart of them, and states with multi-year gaps."""
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
    )
    context = {
        "rows": rows,
        "chart": chart,
        "gaps": multi_year_gaps(last=last),
        "first": first,
        "last": last,
        "any_synthetic": any(r.synthetic for r in rows),
        "unknown_start": parties_with_unknown_start().count(),
    }
    return render(request, "reporting/compliance.html", context)


def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's table as CSV (the same as ``?format=csv``)."""
    first, last, _valid = parse_years(request.GET.get("from"), request.GET.get("to"))
    return _csv(compliance_by_year(first, last), first, last)
