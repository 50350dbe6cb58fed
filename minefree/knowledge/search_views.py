"""The knowledge base's search page, ``/knowledge/``: thin over ``search.search``.

Everything the reader chose is in the URL (``q``, the facet values, the year range,
``page``), so a search can be bookmarked and shared; a facet value is a link that adds or
removes itself. The page reads in a fixed number of queries whatever the number of passages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from minefree.core.views import int_param
from minefree.knowledge.search import (
    FACETS,
    MAX_PAGE,
    FacetValue,
    SearchFilters,
    filters_from,
    search,
)

#: the URL parameters that filter, with the facet each one is
FILTER_PARAMS = (*FACETS, "year_from", "year_to")
FACET_TITLES = {
    "kind": _("Kind of text"),
    "state": _("State"),
    "year": _("Year"),
    "language": _("Language"),
    "article": _("Convention article"),
    "pillar": _("Pillar"),
    "category": _("Challenge category"),
}


@dataclass(frozen=True)
class FacetLink:
    """A facet value as the page shows it: a link adding it to the search or removing it."""

    value: FacetValue
    url: str


def _toggled(params: QueryDict, name: str, value: str) -> str:
    """The query string with ``value`` of ``name`` added, or removed if it was there."""
    query = params.copy()
    query.pop("page", None)
    values = query.getlist(name)
    query.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    return "?" + query.urlencode()


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Search box, facets with counts, ranked hits with highlighted snippets, pages."""
    params = request.GET
    errors: list[str] = []
    try:
        filters = filters_from({name: params.getlist(name) for name in FILTER_PARAMS})
    except ValidationError as refused:
        errors = refused.messages
        filters = SearchFilters()
    query = params.get("q", "").strip()
    page = min(int_param(params, "page") or 1, MAX_PAGE)
    result = search(request.user, query, filters, page)
    facets = [
        (
            name,
            FACET_TITLES[name],
            [FacetLink(v, _toggled(params, name, v.value)) for v in result.facets[name]],
        )
        for name in FACETS
        if result.facets[name]
    ]
    kept = [
        (name, value)
        for name in FILTER_PARAMS
        for value in params.getlist(name)
        if name not in ("year_from", "year_to") and not errors
    ]
    pages = params.copy()
    pages.pop("page", None)
    context = {
        "result": result,
        "query": query,
        "facets": facets,
        "kept": kept,
        "errors": errors,
        "year_from": "" if errors else params.get("year_from", ""),
        "year_to": "" if errors else params.get("year_to", ""),
        "pages_query": pages.urlencode(),
        "browsing": not query,
        "filtered": not filters.empty,
    }
    return render(request, "knowledge/search.html", context, status=400 if errors else 200)
