"""The open data page and its CSV and JSON downloads (public, anonymous allowed).

Thin: the filters are parsed by ``opendata.parse_filters`` (the same form the API
uses) and the lines come from the ``opendata`` selectors. Downloads stream, so a
file of any size is never held in memory. Files are UTF-8 without a byte order
mark; CSV follows RFC 4180 (``csv`` module, CRLF line ends, a header row); JSON
is one array of objects (not JSON Lines), written one object per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from minefree.core.audit import ALL_VERSION_KEY
from minefree.core.exports import SafeCsvWriter
from minefree.core.pagecache import cached_public_page
from minefree.reporting.publication import opendata
from minefree.reporting.publication.opendata import OpenDataFilters

DATASETS = ("reports", "rows")
FORMATS = ("csv", "json")
LINES_PER_CHUNK = 500
FILE_NAMES = {"reports": "article7-reports", "rows": "article7-form-rows"}


class _Echo:
    """A file-like object whose ``write`` returns the text, so ``csv`` can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _chunked(pieces: Iterable[str]) -> Iterator[str]:
    """Join small pieces into chunks: one network write per few hundred lines, not per line."""
    buffer: list[str] = []
    for piece in pieces:
        buffer.append(piece)
        if len(buffer) >= LINES_PER_CHUNK:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def _csv_text(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = SafeCsvWriter(_Echo())
    return _chunked(writer.writerow(row) for row in rows)


def _json_text(lines: Iterator[dict[str, Any]]) -> Iterator[str]:
    def pieces() -> Iterator[str]:
        yield "["
        for n, line in enumerate(lines):
            text = json.dumps(line, ensure_ascii=False, cls=DjangoJSONEncoder)
            yield ("," if n else "") + "\n" + text
        yield "\n]\n"

    return _chunked(pieces())


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _file(
    request: HttpRequest, dataset: str, fmt: str, filters: OpenDataFilters
) -> StreamingHttpResponse:
    if dataset == "reports":
        lines = opendata.report_lines(filters, base_url=_base_url(request))
        csv_rows = opendata.report_csv_rows(lines)
    else:
        lines = opendata.row_lines(filters)
        csv_rows = opendata.row_csv_rows(filters, lines)
    # Both generators are lazy: only the one chosen below ever runs its query.
    content = _csv_text(csv_rows) if fmt == "csv" else _json_text(lines)
    content_type = "text/csv" if fmt == "csv" else "application/json"
    response = StreamingHttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAMES[dataset]}.{fmt}"'
    return response


@require_GET
def download(request: HttpRequest, dataset: str, fmt: str) -> HttpResponseBase:
    """A dataset as CSV or JSON for the filters in the query string; 400 if they are wrong."""
    if dataset not in DATASETS or fmt not in FORMATS:
        raise Http404("No such dataset or format")
    filters, form = opendata.parse_filters(request.GET)
    if filters is None:
        return HttpResponse(form.error_text(), status=400, content_type="text/plain; charset=utf-8")
    return _file(request, dataset, fmt, filters)


@cached_public_page(
    lambda *_a, **_k: [ALL_VERSION_KEY], params=opendata.OpenDataFilterForm.base_fields
)
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """The filter form, the datasets with their counts and download links, and the API URLs."""
    filters, form = opendata.parse_filters(request.GET) if request.GET else (None, None)
    if form is None:
        form = opendata.OpenDataFilterForm()
        filters = OpenDataFilters()
    datasets: list[dict[str, Any]] = []
    query = request.GET.urlencode()
    if filters is not None:
        suffix = f"?{query}" if query else ""
        for dataset, count, api in (
            ("reports", opendata.report_count(filters), "/api/open-data/reports"),
            ("rows", opendata.row_count(filters), "/api/open-data/rows"),
        ):
            datasets.append(
                {
                    "name": dataset,
                    "count": count,
                    "links": [
                        (
                            fmt.upper(),
                            reverse("reporting:open_data_download", args=[dataset, fmt]) + suffix,
                        )
                        for fmt in FORMATS
                    ],
                    "api": api + suffix,
                }
            )
    context = {
        "form": form,
        "datasets": datasets,
        "row_columns": opendata.row_columns(filters) if filters is not None else [],
        "report_columns": opendata.REPORT_COLUMNS,
    }
    return render(
        request, "reporting/open_data.html", context, status=200 if filters is not None else 400
    )
