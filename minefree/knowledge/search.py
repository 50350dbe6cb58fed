"""Search of the knowledge base: one selector, ``search``, for the page and the API.

It reads only the search entries ``selectors.search_entries_read_by`` returns (the one
visibility rule, ``accounts.readers.visible``, on the passage's visibility and state that
each entry copies) and the page's passages through ``selectors.passages_read_by`` (the same
rule), so hits, the total, every facet count and every snippet come from what the reader
may read; a committee-only document never shows, not even as a count. A query is matched
by ``fulltext`` (PostgreSQL full-text or SQLite FTS5, with the same folding and
stemming); without a query the filters alone browse, newest first. Facets count the
matched passages by kind, state, year, language, Convention article, pillar and challenge
category, in one SQL statement over the search entries alone whatever the number of
passages.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from minefree.accounts.readers import reader
from minefree.knowledge import fulltext, semantic, taxonomy
from minefree.knowledge.models import (
    DocumentKind,
    Language,
    Passage,
    PassageSearch,
)
from minefree.knowledge.selectors import passages_read_by, search_entries_read_by
from minefree.registry.models import Actor
from minefree.reporting.specification.schema import PILLARS

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 500
#: the Convention's articles (a document may be tagged with any)
ARTICLES = range(1, 23)
#: the article a passage's kind implies, beside the articles its document is tagged with
KIND_ARTICLE = {DocumentKind.ARTICLE7_NARRATIVE: 7, DocumentKind.EXTENSION_SECTION: 5}
YEARS = range(1997, 2101)
FACETS = ("kind", "state", "year", "language", "article", "pillar", "category")
#: the facets counted from a search entry's JSON lists, by column
LISTED = {"pillars": "pillar", "categories": "category"}

#: how the hits are ordered: by full-text relevance, re-ranked by meaning (optional), or
#: newest first when there is no query
FULL_TEXT = "full-text"
SEMANTIC = "semantic"
BROWSE = "browse"


@dataclass(frozen=True)
class SearchFilters:
    """What the reader narrowed the search to: within a facet any value, across facets all."""

    kinds: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    languages: tuple[str, ...] = ()
    articles: tuple[int, ...] = ()
    pillars: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def chosen(self, facet: str) -> set[str]:
        """The values chosen in ``facet``, as they appear in a URL."""
        values: Sequence[Any] = {
            "kind": self.kinds,
            "state": self.states,
            "year": self.years,
            "language": self.languages,
            "article": self.articles,
            "pillar": self.pillars,
            "category": self.categories,
        }[facet]
        return {str(v) for v in values}

    @property
    def empty(self) -> bool:
        return self == SearchFilters()


def _whole(raw: str, name: str, allowed: range, errors: dict[str, list[str]]) -> int | None:
    text = raw.strip()
    if text.isascii() and text.isdigit() and len(text) < 6 and int(text) in allowed:
        return int(text)
    errors.setdefault(name, []).append(
        _("%(value)s is not a value of %(name)s (%(low)s to %(high)s).")
        % {"value": raw[:20], "name": name, "low": allowed[0], "high": allowed[-1]}
    )
    return None


def filters_from(params: Mapping[str, Sequence[str]]) -> SearchFilters:
    """The filters of a URL's query parameters (each name may repeat: ``kind=a&kind=b``);
    an unknown value is refused (``ValidationError`` by parameter), not silently ignored."""
    errors: dict[str, list[str]] = {}

    def choices(name: str, allowed: Sequence[str]) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(v.strip() for v in params.get(name, []) if v.strip()))
        wrong = [v for v in values if v not in allowed]
        if wrong:
            errors[name] = [
                _("Unknown value %(value)s; one of: %(allowed)s.")
                % {"value": wrong[0][:40], "allowed": ", ".join(allowed)}
            ]
        return values

    states = tuple(dict.fromkeys(v.strip().upper() for v in params.get("state", []) if v.strip()))
    if any(not (len(s) == 3 and s.isascii() and s.isalpha()) for s in states):
        errors["state"] = [_("A state is given by its ISO 3166 alpha-3 code, e.g. PER.")]
    years = tuple(
        y for y in (_whole(v, "year", YEARS, errors) for v in params.get("year", [])) if y
    )
    bounds = {}
    for name in ("year_from", "year_to"):
        raw = [v for v in params.get(name, []) if v.strip()]
        bounds[name] = _whole(raw[-1], name, YEARS, errors) if raw else None
    if bounds["year_from"] and bounds["year_to"] and bounds["year_from"] > bounds["year_to"]:
        errors["year_to"] = [_("The last year comes before the first.")]
    articles = tuple(
        a for a in (_whole(v, "article", ARTICLES, errors) for v in params.get("article", [])) if a
    )
    found = SearchFilters(
        kinds=choices("kind", DocumentKind.values),
        states=states,
        years=years,
        year_from=bounds["year_from"],
        year_to=bounds["year_to"],
        languages=choices("language", Language.values),
        articles=tuple(dict.fromkeys(articles)),
        pillars=choices("pillar", [code for code, _label in PILLARS]),
        categories=choices("category", list(taxonomy.CODES)),
    )
    if errors:
        raise ValidationError(errors)
    return found


def _tagged(column: str, value: str) -> RawSQL:
    """Whether the search entry's JSON list ``column`` (its document's articles or pillars,
    its categories) holds ``value`` (a number or code)."""
    entry = '"knowledge_passagesearch".'
    if connection.vendor == "postgresql":
        tags = f"jsonb_array_elements_text({entry}{column}) AS tag(v)"
        same = "tag.v = %s"
    else:
        tags = f"json_each({entry}{column}) AS tag"
        same = "CAST(tag.value AS TEXT) = %s"
    return RawSQL(f"EXISTS (SELECT 1 FROM {tags} WHERE {same})", [value], BooleanField())


def _any_tagged(column: str, values: Sequence[str]) -> Q:
    condition = Q()
    for value in values:
        condition |= Q(_tagged(column, value))
    return condition


def _narrowed(entries: QuerySet[PassageSearch], filters: SearchFilters) -> QuerySet[PassageSearch]:
    if filters.kinds:
        entries = entries.filter(kind__in=filters.kinds)
    if filters.states:
        entries = entries.filter(state__iso3__in=filters.states)
    if filters.years:
        entries = entries.filter(year__in=filters.years)
    if filters.year_from:
        entries = entries.filter(year__gte=filters.year_from)
    if filters.year_to:
        entries = entries.filter(year__lte=filters.year_to)
    if filters.languages:
        entries = entries.filter(language__in=filters.languages)
    if filters.articles:
        condition = _any_tagged("articles", [str(a) for a in filters.articles])
        for article in filters.articles:
            implied = [kind for kind, number in KIND_ARTICLE.items() if number == article]
            if implied:
                condition |= Q(kind__in=implied)
        entries = entries.filter(condition)
    if filters.pillars:
        entries = entries.filter(_any_tagged("pillars", filters.pillars))
    if filters.categories:
        entries = entries.filter(_any_tagged("categories", filters.categories))
    return entries


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    """A matching passage, with its snippet and the challenge categories it carries."""

    passage: Passage
    rank: float | None
    snippet: SafeString
    labels: list[str]

    @property
    def synthetic(self) -> bool:
        return self.passage.origin == "synthetic"

    @property
    def categories(self) -> list[tuple[str, str]]:
        """(code, name in the reader's language) of each challenge category."""
        return [(code, taxonomy.label(code)) for code in self.labels]


@dataclass
class SearchResult:
    query: str
    filters: SearchFilters
    ranking: str
    total: int
    page: int
    page_size: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, math.ceil(self.total / self.page_size)))


def _statement(
    matched: QuerySet[PassageSearch], terms: Sequence[fulltext.Term], limit: int, offset: int
) -> tuple[str, list[Any]]:
    """One statement for the total, every facet and one page of hits' ids, over the
    reader's matched search entries, worked out once (materialised): they hold what the
    facets count, so no passage, document or label is read."""
    columns = ["passage_id", "kind", "state_id", "year", "language", "articles", "pillars"]
    columns.append("categories")
    found = ""
    found_params: list[Any] = []
    if terms and connection.vendor == "postgresql":
        (condition, condition_params), (score, score_params) = fulltext.pg_match(terms)
        matched = matched.filter(RawSQL(condition, condition_params, BooleanField()))
        matched = matched.annotate(score=RawSQL(score, score_params, FloatField()))
        columns.append("score")
    elif terms:  # SQLite: the FTS5 table's matches, with their score, joined
        sql, found_params = fulltext.matches(terms)
        found = f"found (id, score) AS MATERIALIZED ({sql}), "
        matched = matched.extra(
            tables=["found"],
            where=['found.id = "knowledge_passagesearch"."passage_id"'],
            select={"score": "found.score"},
        )
        columns.append("score")
    inner, inner_params = matched.order_by().values_list(*columns).query.sql_with_params()
    text = "CAST({} AS TEXT)"
    parts = [
        # the total and the kinds with the documents' articles (the kind may imply one);
        # the languages with the years: two facets from each scan, summed in Python
        f"SELECT 'kind', kind, {text.format('articles')}, '', COUNT(*) FROM m "
        f"GROUP BY kind, {text.format('articles')}",
        f"SELECT 'language', language, {text.format('year')}, '', COUNT(*) FROM m "
        "GROUP BY language, year",
        f"SELECT 'state', {text.format('state_id')}, '', '', COUNT(*) FROM m "
        "WHERE state_id IS NOT NULL GROUP BY state_id",
        # lists of tags: few distinct ones, each counted once and spread in Python
        *(
            f"SELECT '{column}', {text.format(column)}, '', '', COUNT(*) FROM m "
            f"GROUP BY {text.format(column)}"
            for column in ("pillars", "categories")
        ),
    ]
    # the page's hits with their categories (the labels the page shows)
    categories = text.format("m.categories")
    if terms:
        hits = (
            f"SELECT 'hit', {text.format('id')}, {categories}, '', score FROM m "
            "ORDER BY score DESC, id LIMIT %s OFFSET %s"
        )
    else:
        hits = (
            f"SELECT 'hit', {text.format('id')}, {categories}, '', "
            "COALESCE(year, 0) * 10000000000 + id FROM m "
            "ORDER BY COALESCE(year, 0) DESC, id DESC LIMIT %s OFFSET %s"
        )
    parts.append(f"SELECT * FROM ({hits}) AS page")
    names = ", ".join(["id", *columns[1:]])
    sql = f"WITH {found}m ({names}) AS MATERIALIZED ({inner}) " + " UNION ALL ".join(parts)
    return sql, [*found_params, *inner_params, limit, offset]


def _facets(counts: dict[str, Counter[str]], filters: SearchFilters) -> dict[str, list[FacetValue]]:
    """The facets' values with their counts and labels, chosen ones marked."""
    state_ids = [int(v) for v in counts["state"]]
    states = (
        {
            str(a.pk): a
            for a in Actor.objects.filter(pk__in=state_ids).only(
                "iso3", "slug", "name_en", "name_fr", "name_es"
            )
        }
        if state_ids
        else {}
    )
    labels: dict[str, dict[str, str]] = {
        "kind": {k: str(v) for k, v in DocumentKind.choices},
        "language": {k: str(v) for k, v in Language.choices},
        "pillar": {k: str(v) for k, v in PILLARS},
        "category": {c: taxonomy.label(c) for c in taxonomy.CODES},
    }
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        chosen = filters.chosen(name)
        values = []
        for value, n in counts[name].items():
            shown, label = value, labels.get(name, {}).get(value, value)
            if name == "state":
                actor = states.get(value)
                if actor is None:
                    continue
                shown, label = actor.code, actor.name
            elif name == "article":
                label = _("Article %(n)s") % {"n": value}
            values.append(FacetValue(shown, label, n, shown in chosen))
        if name in ("year", "article"):
            values.sort(key=lambda v: int(v.value), reverse=name == "year")
        else:
            values.sort(key=lambda v: (-v.count, v.label))
        facets[name] = values
    return facets


@functools.lru_cache(maxsize=4096)
def _tags(stored: str | None) -> frozenset[str]:
    """A document's JSON list of tags as strings (few distinct lists: remembered)."""
    return frozenset(str(tag) for tag in json.loads(stored or "[]"))


def _run(
    matched: QuerySet[PassageSearch], terms: Sequence[fulltext.Term], limit: int, offset: int
) -> tuple[int, dict[str, Counter[str]], list[tuple[int, float]], dict[int, list[str]]]:
    """The total, the facets' counts, the page's (id, score) and their categories, from one
    statement."""
    sql, params = _statement(matched, terms, limit, offset)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    total = 0
    ranked: list[tuple[int, float]] = []
    labelled: dict[int, list[str]] = {}
    for facet, value, other, _empty, n in rows:
        if facet == "hit":
            ranked.append((int(value), float(n)))
            labelled[int(value)] = json.loads(other or "[]")
        elif facet == "kind":  # with the document's articles; the one the kind implies below
            total += int(n)
            counts["kind"][value] += int(n)
            implied = str(KIND_ARTICLE.get(value, ""))
            for article in _tags(other) - {implied}:
                counts["article"][article] += int(n)
        elif facet == "language":  # with the year
            counts["language"][value] += int(n)
            if other is not None:
                counts["year"][str(other)] += int(n)
        elif facet in LISTED:  # a document's pillars, a passage's labels
            for tag in _tags(value):
                counts[LISTED[facet]][tag] += int(n)
        else:
            counts[facet][str(value)] += int(n)
    for kind, number in KIND_ARTICLE.items():
        if counts["kind"][kind]:
            counts["article"][str(number)] += counts["kind"][kind]
    # the page's order again: UNION ALL promises none of its own
    ranked.sort(key=lambda hit: (-hit[1], hit[0]))
    return total, counts, ranked, labelled


def search(
    user: Any,
    query: str = "",
    filters: SearchFilters | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchResult:
    """The passages ``user`` may read that match ``query`` and ``filters``: one page of hits
    with highlighted snippets, the total and the facets. Empty ``query``: browse."""
    filters = filters or SearchFilters()
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, min(page, MAX_PAGE))
    offset = (page - 1) * page_size
    terms = fulltext.parse_query(query)
    who = reader(user)
    matched = _narrowed(search_entries_read_by(who), filters)
    rerank = bool(terms) and semantic.enabled() and offset < semantic.CANDIDATES
    if rerank:
        limit, start = max(semantic.CANDIDATES, offset + page_size), 0
    else:
        limit, start = page_size, offset
    total, counts, ranked, labelled = _run(matched, terms, limit, start)
    result = SearchResult(
        query=query[: fulltext.MAX_QUERY_CHARS],
        filters=filters,
        ranking=FULL_TEXT if terms else BROWSE,
        total=total,
        page=page,
        page_size=page_size,
        facets=_facets(counts, filters),
    )
    if rerank:
        ordered = semantic.rerank(query, ranked[: semantic.CANDIDATES])
        ranked = (ordered + ranked[semantic.CANDIDATES :])[offset : offset + page_size]
        result.ranking = SEMANTIC
    if not ranked:
        return result
    readable = passages_read_by(who)  # the same rule again, on the page's passages
    found = {p.pk: p for p in readable.filter(pk__in=[pk for pk, _s in ranked])}
    wanted = fulltext.query_stems(terms) if terms else None
    result.hits = [
        Hit(
            passage=found[pk],
            rank=score if terms else None,
            snippet=SafeString(fulltext.snippet(found[pk].text, found[pk].language, wanted)),
            labels=labelled[pk],
        )
        for pk, score in ranked
        if pk in found
    ]
    return result
