"""The knowledge base over the API (``/api/knowledge/...``): search, classification of any
text, passages and their labels, documents, practices and the key challenges."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from minefree.core.schemas import ErrorOut
from minefree.knowledge.schemas import (
    KnowledgeSearchFacetValueOut,
    KnowledgeSearchHitOut,
    KnowledgeSearchOut,
    KnowledgeSearchQuery,
)
from minefree.knowledge.search import filters_from, search

router = Router(tags=["knowledge"])


@router.get(
    "/search",
    response={200: KnowledgeSearchOut, 422: ErrorOut},
    summary="Search the passages of the knowledge base you may read",
    description="Full-text search in English, French and Spanish (accents and case folded, "
    "each word in any of its forms), ranked, with highlighted snippets and facet counts "
    "over the matched passages you may read. Filters combine: any value within a "
    "parameter, all parameters together. An unknown filter value is a 422 naming the "
    "parameter. The same search as the page /knowledge/.",
)
def search_passages(request: HttpRequest, query: Query[KnowledgeSearchQuery]) -> KnowledgeSearchOut:
    given = {
        name: [str(v) for v in getattr(query, name)]
        for name in ("kind", "state", "year", "language", "article", "pillar", "category")
    }
    for name in ("year_from", "year_to"):
        value = getattr(query, name)
        given[name] = [] if value is None else [str(value)]
    filters = filters_from(given)
    result = search(request.user, query.q, filters, query.page, query.page_size)
    return KnowledgeSearchOut(
        query=result.query,
        ranking=result.ranking,
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        hits=[
            KnowledgeSearchHitOut(
                id=hit.passage.pk,
                snippet=str(hit.snippet),
                rank=hit.rank,
                locator=hit.passage.locator,
                url=hit.passage.url,
                document=hit.passage.document.title if hit.passage.document else None,
                state=hit.passage.state.code if hit.passage.state else None,
                state_name=hit.passage.state.name if hit.passage.state else None,
                year=hit.passage.year,
                kind=hit.passage.kind,
                language=hit.passage.language,
                labels=hit.labels,
                origin=hit.passage.origin,
            )
            for hit in result.hits
        ],
        facets={
            name: [
                KnowledgeSearchFacetValueOut(
                    value=v.value, label=v.label, count=v.count, selected=v.selected
                )
                for v in values
            ]
            for name, values in result.facets.items()
        },
    )
