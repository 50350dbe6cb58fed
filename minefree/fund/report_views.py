"""The fund's yearly report: the page (latest year with records by default) and the same
report as DOCX and PDF, in the page's language (the ``/fr/`` or ``/es/`` prefix) or the one
``?lang=`` names. Public: the report names only granted applications."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from minefree.core.documents import DOCX_TYPE, in_language, language_asked
from minefree.fund import report
from minefree.fund.report_documents import year_doc, year_docx, year_pdf

FIRST_YEAR = 2021  # the fund was established at the 19MSP, November 2021


def last_year() -> int:
    """The latest year a report may be asked for (next year's: calls may be opened)."""
    return timezone.localdate().year + 1


def _year(value: int) -> int:
    if not FIRST_YEAR <= value <= last_year():
        raise Http404
    return value


def _page(request: HttpRequest, year: int, years: list[int]) -> HttpResponse:
    language = language_asked(request.GET.get("lang"))
    with in_language(language):
        doc = year_doc(year)
        return render(request, "fund/report.html", {"doc": doc, "years": years})


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The year asked for (``?year=``), else the latest year with records."""
    years = report.years()
    asked = request.GET.get("year", "")
    if asked.isdigit():
        year = _year(int(asked))
    else:
        year = years[0] if years else timezone.localdate().year
    return _page(request, year, years)


@require_GET
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    return _page(request, _year(year), report.years())


def _download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    year = _year(year)
    language = language_asked(request.GET.get("lang"))
    if fmt == "pdf":
        data, content_type = year_pdf(year, language), "application/pdf"
    else:
        data, content_type = year_docx(year, language), DOCX_TYPE
    response = HttpResponse(data, content_type=content_type)
    lang = language or translation.get_language() or "en"
    response["Content-Disposition"] = f'attachment; filename="fund-report-{year}-{lang}.{fmt}"'
    return response


@require_GET
def year_docx_view(request: HttpRequest, year: int) -> HttpResponse:
    return _download(request, year, "docx")


@require_GET
def year_pdf_view(request: HttpRequest, year: int) -> HttpResponse:
    return _download(request, year, "pdf")
