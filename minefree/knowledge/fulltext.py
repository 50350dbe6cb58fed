"""The full-text index of passages, on PostgreSQL and on SQLite, with one behaviour: a word
matches its accented and unaccented forms, any case, and the other forms of its stem in the
passage's language (English, French, Spanish; a passage in another language is read as
English).

* PostgreSQL: ``PassageSearch`` keeps each passage's words as a ``tsvector`` built with the
  text search configuration of its language (``minefree_en``, ``minefree_fr``,
  ``minefree_es``: the built-in English, French and Spanish ones with ``unaccent`` before the
  stemmer, made by migration ``0002``), under a GIN index; ranked by ``ts_rank_cd``.
* SQLite: an FTS5 table (``knowledge_passage_fts``, rowid = the passage's id) holds each
  passage's folded, stemmed words (Snowball stemmers, ``snowballstemmer``), each prefixed
  by its language (``fr_financ``); ranked by ``bm25``. FTS5's own stemmer knows only
  English.

A query is matched against each passage in the passage's language: its words are stemmed
in English, French and Spanish, each form looked up among passages of that language.
``passages_replace`` keeps the index current (``index_passages``, ``unindex_source``);
deleting passages any other way (a document's cascade) removes their entries too (a
cascading relation, and a trigger for SQLite's FTS5 table). On both databases each
passage's search entry (``PassageSearch``) also copies what visibility and the facets read,
kept by triggers when a passage, its document or its labels change. Snippets are
highlighted here, in Python, the same way on both databases.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from minefree.knowledge.text import STOPWORDS, WORD, fold

#: the languages the index stems, and the stemmer and text search configuration of each
LANGUAGES = ("en", "fr", "es")
SNOWBALL = {"en": "english", "fr": "french", "es": "spanish"}
CONFIGS = {"en": "minefree_en", "fr": "minefree_fr", "es": "minefree_es"}
FTS_TABLE = "knowledge_passage_fts"
#: a query longer than this is cut: a search box is not a document
MAX_QUERY_CHARS = 300
MAX_TERMS = 12
SNIPPET_WORDS = 40


def index_language(language: str) -> str:
    """The language a passage is indexed in: its own, or English for any other."""
    return language if language in LANGUAGES else "en"


@functools.cache
def _stemmer(language: str) -> Any:
    import snowballstemmer  # a small pure-Python package, loaded when first needed

    return snowballstemmer.stemmer(SNOWBALL[language])


@functools.lru_cache(maxsize=200_000)
def _stem(word: str, language: str) -> str:
    return str(_stemmer(language).stemWord(word))


def stem(word: str, language: str) -> str:
    """The stem of a folded word in ``language`` ("financements" -> "financ"); a
    vocabulary is small, so stems are remembered (the stemmers are pure Python)."""
    return _stem(word, index_language(language))


def stems(text: str, language: str) -> list[str]:
    """The folded, stemmed words of ``text``, in order (what SQLite's index holds)."""
    lang = index_language(language)
    return [_stem(word, lang) for word in WORD.findall(fold(text))]


# --- queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word, or a phrase in double quotes, of a query (folded)."""

    words: tuple[str, ...]

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


def parse_query(query: str) -> list[Term]:
    """The words and "quoted phrases" of what a reader typed; punctuation and operators
    mean nothing, so no input can break the database's query syntax."""
    text = query[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    for quoted, bare in re.findall(r'"([^"]*)"?|([^"\s]+)', text):
        found = tuple(WORD.findall(fold(quoted or bare)))
        if quoted and found:
            terms.append(Term(found))
        else:
            terms += [Term((w,)) for w in found]
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


def _terms_in(language: str, terms: Sequence[Term]) -> list[Term]:
    """The terms that count in ``language``: its frequent words alone ("the", "de") are
    dropped, as the database's own configurations drop them, unless nothing else is left."""
    common = STOPWORDS.get(language, set())
    kept = [t for t in terms if t.phrase or t.words[0] not in common]
    return kept or list(terms)


def query_stems(terms: Sequence[Term]) -> dict[str, set[str]]:
    """Per language, the stems the query looks for (to highlight them in snippets)."""
    return {
        lang: {stem(w, lang) for t in _terms_in(lang, terms) for w in t.words} for lang in LANGUAGES
    }


def _fts_token(language: str, word: str) -> str:
    """A stem as SQLite's index holds it: prefixed by its language ("fr_financ"), so that
    each language's forms have their own short lists and never match another's."""
    return f"{language}_{stem(word, language)}"


def _fts_expression(terms: Sequence[Term]) -> str:
    """The FTS5 query: in any language, every term in that language's stems."""
    parts = []
    for lang in LANGUAGES:
        items = [
            '"' + " ".join(_fts_token(lang, w) for w in term.words) + '"'
            for term in _terms_in(lang, terms)
        ]
        parts.append(f"({' AND '.join(items)})")
    return " OR ".join(parts)


def _pg_tsquery(lang: str, terms: Sequence[Term]) -> tuple[str, list[Any]]:
    """The tsquery of ``terms`` in ``lang``'s configuration (each term a phrase query)."""
    config = CONFIGS[lang]
    chosen = _terms_in(lang, terms)
    sql = " && ".join(f"phraseto_tsquery('{config}', %s)" for _t in chosen)
    return f"({sql})", [" ".join(t.words) for t in chosen]


def matches(terms: Sequence[Term]) -> tuple[str, list[Any]]:
    """SQLite: SQL selecting ``(id, score)`` of every passage matching ``terms``, any
    reader's (the caller narrows it to what its reader may see); a higher score is a better
    match. PostgreSQL matches on the search entries themselves (``pg_match``)."""
    return (
        f"SELECT rowid, -bm25({FTS_TABLE}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
        [_fts_expression(terms)],
    )


def pg_match(terms: Sequence[Term]) -> tuple[tuple[str, list[Any]], tuple[str, list[Any]]]:
    """PostgreSQL: the condition a search entry (``knowledge_passagesearch``) matching
    ``terms`` meets, and its score (higher is better), each as SQL and parameters."""
    column = '"knowledge_passagesearch".'
    conditions, cases, where_params, case_params = [], [], [], []
    for lang in LANGUAGES:
        sql, values = _pg_tsquery(lang, terms)
        conditions.append(f"({column}config = %s AND {column}vector @@ {sql})")
        where_params += [lang, *values]
        cases.append(f"WHEN %s THEN {sql}")
        case_params += [lang, *values]
    return (
        (f"({' OR '.join(conditions)})", where_params),
        (
            f"ts_rank_cd({column}vector, CASE {column}config {' '.join(cases)} END)",
            case_params,
        ),
    )


# --- the index -----------------------------------------------------------------------------


def index_passages(passages: Iterable[Any]) -> None:
    """Index (or index again) saved passages: their words, and the copies their search
    entry keeps of what visibility and the facets read (``PassageSearch``)."""
    rows = [(p.pk, index_language(p.language), p.text) for p in passages]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(rows), 1000):
                _pg_index(cursor, rows[start : start + 1000])
            return
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            ids = [pk for pk, _lang, _text in chunk]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, terms) VALUES (%s, %s)",
                [_fts_row(pk, lang, text) for pk, lang, text in chunk],
            )
            cursor.executemany(
                "INSERT OR REPLACE INTO knowledge_passagesearch (passage_id, config, visibility, "
                "kind, language, articles, pillars, categories) "
                "VALUES (%s, %s, 'public', '', '', '[]', '[]', '[]')",
                [(pk, lang) for pk, lang, _text in chunk],
            )
            cursor.execute(_SQLITE_REFRESH.format(marks=marks), ids)


#: SQLite: the copies a search entry keeps (on PostgreSQL the function
#: ``knowledge_search_refresh`` of migration ``knowledge.0004_search_entry_facets``)
_SQLITE_REFRESH = (
    "UPDATE knowledge_passagesearch SET visibility = p.visibility, state_id = p.state_id, "
    "kind = p.kind, year = p.year, language = p.language, "
    "articles = COALESCE(d.articles, '[]'), pillars = COALESCE(d.pillars, '[]'), "
    "categories = COALESCE((SELECT json_group_array(category) FROM (SELECT category "
    "FROM knowledge_passagelabel WHERE passage_id = p.id AND status <> 'rejected' "
    "ORDER BY category)), '[]') "
    "FROM knowledge_passage p LEFT JOIN knowledge_document d ON d.id = p.document_id "
    "WHERE knowledge_passagesearch.passage_id = p.id AND p.id IN ({marks})"
)


def _pg_index(cursor: Any, rows: list[tuple[int, str, str]]) -> None:
    """Upsert the search entries of ``rows`` (id, language, text): the tsvector in the
    passage's configuration and the copies, written once (an entry written twice would
    leave a dead row version, and dead index entries, to every search until a vacuum).
    The copies are those of ``knowledge_search_refresh`` (migration 0004)."""
    values = ", ".join(["(%s::bigint, %s::text, %s::text)"] * len(rows))
    copied = ("visibility", "state_id", "kind", "year", "language")
    lists = ("articles", "pillars", "categories")
    cursor.execute(
        "INSERT INTO knowledge_passagesearch (passage_id, config, vector, "
        f"{', '.join(copied + lists)}) "
        "SELECT v.id, v.lang, to_tsvector(CASE v.lang WHEN 'fr' THEN "
        "'minefree_fr'::regconfig WHEN 'es' THEN 'minefree_es'::regconfig "
        "ELSE 'minefree_en'::regconfig END, v.body), "
        f"{', '.join(f'p.{c}' for c in copied)}, "
        "COALESCE(d.articles, '[]'::jsonb), COALESCE(d.pillars, '[]'::jsonb), "
        "COALESCE((SELECT jsonb_agg(l.category ORDER BY l.category) "
        "FROM knowledge_passagelabel l WHERE l.passage_id = p.id AND l.status <> 'rejected'), "
        "'[]'::jsonb) "
        f"FROM (VALUES {values}) AS v(id, lang, body) "
        "JOIN knowledge_passage p ON p.id = v.id "
        "LEFT JOIN knowledge_document d ON d.id = p.document_id "
        "ON CONFLICT (passage_id) DO UPDATE SET config = EXCLUDED.config, "
        "vector = EXCLUDED.vector, " + ", ".join(f"{c} = EXCLUDED.{c}" for c in copied + lists),
        [value for row in rows for value in row],
    )


def _fts_row(pk: int, language: str, text: str) -> tuple[int, str]:
    """The FTS5 row of a passage: its stems, each prefixed by the passage's language."""
    return (pk, " ".join(f"{language}_{s}" for s in stems(text, language)))


def unindex_source(source_kind: str, source_id: str) -> None:
    """Remove the index entries of one source's passages, before they are replaced."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DELETE FROM knowledge_passagesearch WHERE passage_id IN (SELECT id FROM "
                "knowledge_passage WHERE source_kind = %s AND source_id = %s)",
                [source_kind, source_id],
            )
        else:
            for table, column in ((FTS_TABLE, "rowid"), ("knowledge_passagesearch", "passage_id")):
                cursor.execute(
                    f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM knowledge_passage "
                    "WHERE source_kind = %s AND source_id = %s)",
                    [source_kind, source_id],
                )


def index_size() -> int:
    """How many passages the index holds (a check for tests and the benchmark)."""
    table = "knowledge_passagesearch" if connection.vendor == "postgresql" else FTS_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cursor.fetchone()[0])


# --- snippets ------------------------------------------------------------------------------


def snippet(
    text: str, language: str, wanted: dict[str, set[str]] | None, words: int = SNIPPET_WORDS
) -> str:
    """About ``words`` words of ``text`` around its first match, HTML-escaped, each matching
    word in ``<mark>``; the opening words when nothing is ``wanted`` (browsing)."""
    lang = index_language(language)
    looked_for = (wanted or {}).get(lang, set())
    spans = [m.span() for m in WORD.finditer(text)]
    if not spans:
        return html.escape(text[:300])
    hits = [
        n
        for n, (a, b) in enumerate(spans)
        if looked_for and stem(fold(text[a:b]), lang) in looked_for
    ]
    first = max(0, hits[0] - words // 4) if hits else 0
    last = min(len(spans), first + words)
    marked = set(hits)
    out = ["…" if first else ""]
    position = spans[first][0]
    for n in range(first, last):
        a, b = spans[n]
        out.append(html.escape(text[position:a]))
        word = html.escape(text[a:b])
        out.append(f"<mark>{word}</mark>" if n in marked else word)
        position = b
    if last < len(spans):
        out.append(html.escape(text[position : spans[last][0]].rstrip()) + " …")
    else:
        out.append(html.escape(text[position:]))
    return "".join(out).strip()
