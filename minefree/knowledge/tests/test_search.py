"""Search of the knowledge base, the same on SQLite and PostgreSQL: accents, case and stems
in English, French and Spanish, ranking, facets, filters, visibility, and an index that
follows the passages (amended reports, deleted documents)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from minefree.core.audit import SYSTEM
from minefree.core.models import Origin, Visibility
from minefree.knowledge import fulltext, services
from minefree.knowledge.models import Document, Passage, PassageSearch
from minefree.knowledge.search import (
    BROWSE,
    FULL_TEXT,
    SEMANTIC,
    SearchFilters,
    filters_from,
    search,
)
from minefree.knowledge.services import PassageInput
from minefree.registry.models import Actor
from minefree.reporting import services as reporting
from minefree.reporting.tests.factories import submit_explained

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_corpus")]


EN_FUNDING = "The lack of funding delayed clearing operations in the northern provinces."
EN_CLEARED = "Mined areas were cleared in 2022 with the help of the army engineers."
FR_ACCENT = "Le manque de financements freine le déminage des zones frontalières."
FR_PLAIN = "Les opérations de deminage ont repris après la saison des pluies."
ES_FUNDING = "La falta de financiación limita el desminado humanitario en la región."
ES_TEAMS = "Los equipos de desminado despejaron tres zonas minadas."
SECRET = "Confidential assessment: the clandestine stockpile near the river was never declared."


def _add(source: str, *passages: tuple[str, str, str, str, int], **extra: Any) -> list[Passage]:
    """Passages of one source: (text, language, kind, state ISO3, year) each."""
    return services.passages_replace(
        actor=SYSTEM,
        source_kind="test.source",
        source_id=source,
        passages=[
            PassageInput(
                text=text,
                locator=f"paragraph {n}",
                kind=kind,
                language=lang,
                state=Actor.objects.get(iso3=iso3) if iso3 else None,
                year=year,
                url=f"/sources/{source}/",
                **extra,
            )
            for n, (text, lang, kind, iso3, year) in enumerate(passages, 1)
        ],
    )


@pytest.fixture
def world() -> dict[str, Passage]:
    made = _add(
        "statements",
        (EN_FUNDING, "en", "statement", "PER", 2023),
        (EN_CLEARED, "en", "statement", "COL", 2022),
        (FR_ACCENT, "fr", "statement", "SEN", 2021),
        (FR_PLAIN, "fr", "visit_report", "SEN", 2024),
        (ES_FUNDING, "es", "article7_narrative", "PER", 2024),
        (ES_TEAMS, "es", "article7_narrative", "COL", 2020),
    )
    return {p.text: p for p in made}


@pytest.fixture
def secret(cast: dict[str, Any]) -> Document:
    """A committee-only study about Colombia, uploaded as a text file."""
    return services.document_add(
        actor=cast["committee_chair"],
        title="Committee assessment",
        kind="study",
        language="en",
        file=SimpleUploadedFile("note.txt", SECRET.encode(), content_type="text/plain"),
        states=[Actor.objects.get(iso3="COL")],
        year=2024,
        articles=[4],
        pillars=["stockpile_destruction"],
        visibility=Visibility.COMMITTEE,
    )


def _texts(user: Any, query: str = "", **filters: Any) -> list[str]:
    result = search(user, query, SearchFilters(**filters), page_size=100)
    return [hit.passage.text for hit in result.hits]


# --- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["déminage", "deminage", "DÉMINAGE", "Deminage"])
def test_a_french_word_finds_its_accented_and_unaccented_forms_in_any_case(world, query):
    assert set(_texts(None, query)) == {FR_ACCENT, FR_PLAIN}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("financement", {FR_ACCENT}),  # the passage says "financements"
        ("cleared", {EN_FUNDING, EN_CLEARED}),  # "clearing" and "cleared"
        ("clearing", {EN_FUNDING, EN_CLEARED}),
        ("fundings", {EN_FUNDING}),
        ("desminados", {ES_FUNDING, ES_TEAMS}),  # "desminado"
        ("financiacion", {ES_FUNDING}),  # without its accent
        ("zona minada", {ES_TEAMS}),  # both words, each in another form
    ],
)
def test_words_match_the_other_forms_of_their_stem_in_the_passages_language(world, query, found):
    assert set(_texts(None, query)) == found


def test_every_word_must_match_and_a_quoted_phrase_keeps_its_order(world):
    assert _texts(None, "funding provinces") == [EN_FUNDING]
    assert _texts(None, "funding army") == []
    assert _texts(None, '"clearing operations"') == [EN_FUNDING]
    assert _texts(None, '"operations clearing"') == []


def test_operators_and_punctuation_are_plain_text(world):
    for query in ['NEAR(" funding', "funding*", "- ) : ^", "'; DROP TABLE x; --", '"""']:
        search(None, query)  # never a syntax error of the database
    assert _texts(None, "funding*") == [EN_FUNDING]


def test_the_passage_with_more_of_the_query_ranks_first():
    _add(
        "ranking",
        (
            "Funding. Funding shortfalls and funding delays: funding is the issue.",
            "en",
            "study",
            "",
            2020,
        ),
        (
            "The survey teams worked in three provinces, cleared two minefields and reported "
            "on funding once, among many other topics of the year.",
            "en",
            "study",
            "",
            2020,
        ),
    )
    result = search(None, "funding")
    assert result.ranking == FULL_TEXT
    assert result.hits[0].passage.text.startswith("Funding. Funding")
    assert result.hits[0].rank > result.hits[1].rank


def test_snippets_are_escaped_and_mark_the_matching_words(world):
    _add("markup", ("Landslides <script>alert(1)</script> & costs > 5", "en", "study", "", 2020))
    hits = {h.passage.text: h for h in search(None, "financement").hits}
    assert "<mark>financements</mark>" in hits[FR_ACCENT].snippet
    hit = search(None, "landslide").hits[0]
    assert "<script>" not in hit.snippet
    assert hit.snippet.startswith("<mark>Landslides</mark> &lt;script&gt;")
    assert "&amp; costs &gt; 5" in hit.snippet


def test_a_long_passage_is_cut_around_its_first_match(world):
    filler = " ".join(f"word{n}" for n in range(200))
    _add("long", (f"{filler} landslide {filler}", "en", "study", "", 2020))
    snippet = search(None, "landslides").hits[0].snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>landslide</mark>" in snippet and len(snippet) < 600


def test_hits_carry_their_source_and_what_they_are(world):
    hit = search(None, "desminado humanitario").hits[0]
    passage = hit.passage
    assert passage.url == "/sources/statements/" and passage.locator == "paragraph 5"
    assert (passage.state.iso3, passage.year, passage.kind, passage.language) == (
        "PER",
        2024,
        "article7_narrative",
        "es",
    )
    assert "financial" in hit.labels  # the classifier's suggestion
    assert not hit.synthetic


def test_synthetic_passages_say_so():
    _add("demo", ("Synthetic landslide report.", "en", "study", "", 2020), origin=Origin.SYNTHETIC)
    assert search(None, "landslide").hits[0].synthetic


# --- browsing, facets and filters ----------------------------------------------------------


def test_without_a_query_the_filters_browse_newest_first(world):
    result = search(None, "", SearchFilters(states=("PER",)))
    assert result.ranking == BROWSE
    assert [h.passage.text for h in result.hits] == [ES_FUNDING, EN_FUNDING]
    assert all(h.rank is None for h in result.hits)


def _counts(result: Any, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet]}


def test_facets_count_the_matched_passages(world):
    result = search(None, "")
    assert result.total == 6
    assert _counts(result, "language") == {"en": 2, "fr": 2, "es": 2}
    assert _counts(result, "state") == {"PER": 2, "COL": 2, "SEN": 2}
    assert _counts(result, "kind") == {"statement": 3, "visit_report": 1, "article7_narrative": 2}
    assert _counts(result, "year") == {"2020": 1, "2021": 1, "2022": 1, "2023": 1, "2024": 2}
    assert _counts(result, "article") == {"7": 2}  # an Article 7 report's narratives
    assert _counts(result, "category")["financial"] >= 2
    matched = search(None, "deminage")
    assert matched.total == 2
    assert _counts(matched, "language") == {"fr": 2}
    assert _counts(matched, "year") == {"2021": 1, "2024": 1}
    state = next(v for v in matched.facets["state"] if v.value == "SEN")
    assert state.label == "Senegal"


def _expected(user: Any, result: Any) -> dict[str, dict[str, int]]:
    """The facets of ``result`` counted the plain way: from each hit's passage, document and
    labels, as the reader may read them (``passages_for``)."""
    from collections import Counter

    from minefree.knowledge.models import LabelStatus
    from minefree.knowledge.search import KIND_ARTICLE
    from minefree.knowledge.selectors import passages_for

    ids = [h.passage.pk for h in result.hits]
    counts: dict[str, Counter[str]] = {name: Counter() for name in result.facets}
    for p in passages_for(user).filter(pk__in=ids).prefetch_related("labels"):
        counts["kind"][p.kind] += 1
        counts["language"][p.language] += 1
        if p.state:
            counts["state"][p.state.code] += 1
        if p.year:
            counts["year"][str(p.year)] += 1
        articles = {str(a) for a in (p.document.articles if p.document else [])}
        articles |= {str(KIND_ARTICLE[p.kind])} if p.kind in KIND_ARTICLE else set()
        counts["article"].update(articles)
        counts["pillar"].update(p.document.pillars if p.document else [])
        counts["category"].update(
            {label.category for label in p.labels.all() if label.status != LabelStatus.REJECTED}
        )
    return {name: dict(c) for name, c in counts.items()}


@pytest.mark.parametrize("who", ["anonymous", "committee_chair", "focal_point_colombia"])
def test_the_total_and_facets_equal_a_plain_count_of_the_readable_hits(cast, world, secret, who):
    user = cast[who]
    services.label_decide(
        actor=cast["committee_chair"],
        passage=Passage.objects.get(text=EN_CLEARED),
        category="security_access",
        status="confirmed",
    )
    for query, filters in [
        ("", SearchFilters()),
        ("deminage", SearchFilters()),
        ("", SearchFilters(kinds=("study", "statement"))),
        ("clandestine", SearchFilters()),
        ("", SearchFilters(categories=("financial", "security_access"))),
        ("", SearchFilters(articles=(4, 7))),
    ]:
        result = search(user, query, filters, page_size=100)
        assert result.total == len(result.hits)
        found = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
        assert found == _expected(user, result), (query, filters)


def test_document_tags_give_articles_and_pillars(cast, secret):
    result = search(cast["committee_chair"], "stockpile")
    assert result.total == 1
    assert _counts(result, "article") == {"4": 1}
    assert _counts(result, "pillar") == {"stockpile_destruction": 1}


def test_filters_narrow_hits_and_counts_and_mark_what_is_chosen(world, cast, secret):
    assert _texts(None, "deminage", languages=("fr",), kinds=("visit_report",)) == [FR_PLAIN]
    assert set(_texts(None, "", year_from=2022, year_to=2023)) == {EN_FUNDING, EN_CLEARED}
    assert set(_texts(None, "", years=(2020, 2021))) == {ES_TEAMS, FR_ACCENT}
    assert set(_texts(None, "", articles=(7,))) == {ES_FUNDING, ES_TEAMS}
    assert _texts(None, "", articles=(4,)) == []  # the only one is the committee's
    assert _texts(
        cast["committee_chair"], "", articles=(4,), pillars=("stockpile_destruction",)
    ) == [SECRET]
    assert set(_texts(None, "", categories=("financial",))) >= {EN_FUNDING, ES_FUNDING}
    result = search(None, "", SearchFilters(states=("SEN", "PER"), languages=("fr",)))
    assert result.total == 2
    assert [v.value for v in result.facets["language"] if v.selected] == ["fr"]
    assert {v.value for v in result.facets["state"] if v.selected} == {"SEN"}


def test_filters_from_the_url_are_checked():
    found = filters_from(
        {"kind": ["statement", "study"], "state": ["per"], "year_from": ["2020"], "article": ["5"]}
    )
    assert found.kinds == ("statement", "study") and found.states == ("PER",)
    assert (found.year_from, found.articles) == (2020, (5,))
    assert filters_from({}).empty
    for bad in (
        {"kind": ["poem"]},
        {"language": ["de"]},
        {"year": ["²"]},
        {"year": ["1800"]},
        {"article": ["23"]},
        {"state": ["Peru"]},
        {"category": ["weather"]},
        {"pillar": ["x"]},
        {"year_from": ["2024"], "year_to": ["2020"]},
    ):
        with pytest.raises(ValidationError) as refused:
            filters_from(bad)
        assert set(refused.value.message_dict) & set(bad)


def test_pages_of_hits(world):
    first = search(None, "", page=1, page_size=4)
    second = search(None, "", page=2, page_size=4)
    assert (first.total, first.pages, len(first.hits), len(second.hits)) == (6, 2, 4, 2)
    assert not {h.passage.pk for h in first.hits} & {h.passage.pk for h in second.hits}
    assert search(None, "", page=9, page_size=4).hits == []


# --- visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "donor_japan", "focal_point_peru", "no_role"])
def test_a_committee_document_never_shows_to_others(cast, world, secret, who):
    user = cast[who]
    for query in ("clandestine", "stockpile river", ""):
        result = search(user, query)
        assert SECRET not in [h.passage.text for h in result.hits]
        assert all("clandestine" not in h.snippet for h in result.hits)
    assert search(user, "clandestine").total == 0
    everything = search(user, "")
    assert everything.total == 6
    assert "study" not in _counts(everything, "kind")
    assert _counts(everything, "state")["COL"] == 2
    assert "4" not in _counts(everything, "article")
    assert search(user, "", SearchFilters(kinds=("study",))).total == 0


@pytest.mark.parametrize("who", ["committee_chair", "isu_staff", "focal_point_colombia"])
def test_the_committee_staff_and_the_state_concerned_find_it(cast, world, secret, who):
    result = search(cast[who], "clandestine")
    assert result.total == 1
    assert "<mark>clandestine</mark>" in result.hits[0].snippet
    assert _counts(search(cast[who], ""), "kind")["study"] == 1


# --- the index follows the passages --------------------------------------------------------


def test_an_amended_report_is_searched_as_it_is_now(cast, django_capture_on_commit_callbacks):
    user = cast["focal_point_peru"]
    peru = Actor.objects.get(iso3="PER")
    draft = reporting.report_open(actor=user, state=peru, year=2025)
    reporting.form_entry_save(
        actor=user,
        version=draft,
        letter="J",
        narratives={"other_matters": "Heavy rains flooded the access roads to the minefields."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = submit_explained(user, draft)
    hit = search(None, "rain").hits[0]
    assert "version 1" in hit.passage.locator and hit.passage.url.startswith("/reports/v/")
    amended = reporting.amendment_open(actor=user, report=version.report, reason="Corrected.")
    reporting.form_entry_save(
        actor=user,
        version=amended,
        letter="J",
        narratives={"other_matters": "Landslides blocked the access roads to the minefields."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_explained(user, amended)
    assert search(None, "rain").total == 0
    hits = search(None, "landslide access").hits
    assert len(hits) == 1 and "version 2" in hits[0].passage.locator
    assert fulltext.index_size() == Passage.objects.count()


def test_a_deleted_document_leaves_nothing_in_the_index(cast, world, secret):
    assert fulltext.index_size() == Passage.objects.count() == 7
    secret.delete()  # its passages go by cascade
    assert fulltext.index_size() == Passage.objects.count() == 6
    assert PassageSearch.objects.count() == 6
    assert search(cast["isu_staff"], "clandestine").total == 0


def test_the_search_entries_follow_labels_documents_and_passages(cast, world, secret):
    """What visibility and the facets read is copied into each passage's search entry; the
    copies follow every write, through the services or not."""
    from minefree.knowledge.models import PassageLabel

    chair = cast["committee_chair"]
    cleared = Passage.objects.get(text=EN_CLEARED)
    services.label_decide(
        actor=chair, passage=cleared, category="security_access", status="confirmed"
    )
    assert _texts(None, "", categories=("security_access",)) == [EN_CLEARED]
    assert "security_access" in search(None, "army engineers").hits[0].labels
    services.label_decide(
        actor=chair, passage=cleared, category="security_access", status="rejected"
    )
    assert _texts(None, "", categories=("security_access",)) == []
    labels = search(None, "army engineers").hits[0].labels
    assert "security_access" not in labels and labels == sorted(labels)
    PassageLabel.objects.filter(passage__text=EN_FUNDING, category="financial").delete()
    assert EN_FUNDING not in _texts(None, "", categories=("financial",))
    assert EN_FUNDING in _texts(None, "funding")

    secret.articles, secret.pillars = [9], ["victim_assistance"]
    secret.save()
    result = search(chair, "clandestine")
    assert (_counts(result, "article"), _counts(result, "pillar")) == (
        {"9": 1},
        {"victim_assistance": 1},
    )
    assert _texts(chair, "", articles=(9,)) == [SECRET]

    Passage.objects.filter(text=EN_FUNDING).update(visibility=Visibility.COMMITTEE, year=2001)
    assert search(None, "funding provinces").total == 0
    assert "2001" not in _counts(search(None, ""), "year")
    assert _texts(chair, "funding provinces") == [EN_FUNDING]
    assert _counts(search(chair, "funding provinces"), "year") == {"2001": 1}


def test_replacing_a_source_reindexes_it(world):
    _add("statements", (EN_CLEARED, "en", "statement", "COL", 2022))
    assert fulltext.index_size() == Passage.objects.count() == 1
    assert search(None, "deminage").total == 0
    assert _texts(None, "cleared") == [EN_CLEARED]


# --- semantic ranking (optional) -----------------------------------------------------------


def test_semantic_ranking_is_off_by_default_and_says_so_when_on(settings):
    _add(
        "meaning",
        (
            "Operations were suspended in the north: armed groups made the area insecure.",
            "en",
            "study",
            "",
            2020,
        ),
        ("Operations resumed in the north once the rainy season ended.", "en", "study", "", 2020),
    )
    assert search(None, "operations north").ranking == FULL_TEXT
    settings.MINEFREE_SEMANTIC_SEARCH = True
    result = search(None, "operations north violence conflict security")
    assert result.total == 0  # full-text still decides what matches
    result = search(None, "operations north")
    assert result.ranking == SEMANTIC and result.total == 2
    assert all(isinstance(h.rank, float) for h in result.hits)
