"""API shapes of the knowledge base (``/api/knowledge/...``)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from minefree.knowledge.search import MAX_PAGE, MAX_PAGE_SIZE, PAGE_SIZE

#: the longest text ``POST /api/knowledge/classify`` reads (a passage is at most this long)
CLASSIFY_MAX_CHARS = 20_000


class ClassifyTextIn(Schema):
    text: str = Field(
        ..., max_length=CLASSIFY_MAX_CHARS, description="The text, 1 to 20,000 characters."
    )
    lang: Literal["en", "fr", "es"] = Field(..., description="Its language: en, fr or es.")


class ClassifiedLabelOut(Schema):
    category: str = Field(..., description="A code of the taxonomy, or `none`.")
    label: str = Field(..., description="The category's name in the language of the request.")
    confidence: float = Field(..., description="The model's probability, 0 to 1.")
    evidence: str = Field(..., description="The cue phrase found, or the terms that weighed most.")


class ClassifyTextOut(Schema):
    labels: list[ClassifiedLabelOut]
    evidence: str = Field(..., description="The evidence of every label, one per line.")
    method: str = Field(..., description="The classification method and its version.")


class KnowledgeSearchQuery(Schema):
    q: str = Field(
        "",
        max_length=300,
        description="Words (each must appear, in any of its forms, accents and case folded) "
        'and "quoted phrases"; empty: browse the filters, newest first',
    )
    kind: list[str] = Field(
        default_factory=list,
        description="Kinds of text (repeat for several): statement, article7_narrative, "
        "extension_section, visit_report, guidance, study, other",
    )
    state: list[str] = Field(default_factory=list, description="ISO 3166 alpha-3 codes")
    year: list[int] = Field(default_factory=list, description="Years (repeat for several)")
    year_from: int | None = Field(None, description="First year, 1997 to 2100")
    year_to: int | None = Field(None, description="Last year, 1997 to 2100")
    language: list[str] = Field(default_factory=list, description="en, fr, es or other")
    article: list[int] = Field(default_factory=list, description="Convention articles, 1 to 22")
    pillar: list[str] = Field(
        default_factory=list, description="Pillars, e.g. survey_clearance, victim_assistance"
    )
    category: list[str] = Field(
        default_factory=list, description="Challenge categories, e.g. financial, capacity"
    )
    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE}")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"1 to {MAX_PAGE_SIZE}")


class KnowledgeSearchHitOut(Schema):
    id: int = Field(description="The passage's id")
    snippet: str = Field(
        description="HTML: the passage's words around its first match, escaped, each "
        "matching word in <mark>"
    )
    rank: float | None = Field(description="Higher is better; null when browsing")
    locator: str = Field(description="Where in the source, e.g. version 2, Form J, row 3")
    url: str = Field(description="The address of the source")
    document: str | None = Field(description="The document's title, for a document's passage")
    state: str | None = Field(description="ISO 3166 alpha-3 code")
    state_name: str | None
    year: int | None
    kind: str
    language: str
    labels: list[str] = Field(description="Challenge categories (suggested or confirmed)")
    origin: str = Field(description="`synthetic` marks invented demo data")


class KnowledgeSearchFacetValueOut(Schema):
    value: str = Field(description="The value to filter on")
    label: str
    count: int = Field(description="Matched passages with this value that you may read")
    selected: bool


class KnowledgeSearchOut(Schema):
    query: str
    ranking: str = Field(description="full-text, semantic (optional) or browse")
    total: int
    page: int
    page_size: int
    pages: int
    hits: list[KnowledgeSearchHitOut]
    facets: dict[str, list[KnowledgeSearchFacetValueOut]] = Field(
        description="kind, state, year, language, article, pillar, category"
    )
