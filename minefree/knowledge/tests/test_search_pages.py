"""The search page /knowledge/ and GET /api/knowledge/search: the same search, filters in
the URL, what each reader may read, and a fixed number of queries whatever the data."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import bearer
from minefree.core.audit import SYSTEM
from minefree.core.models import Origin, Visibility
from minefree.knowledge import services
from minefree.knowledge.services import PassageInput
from minefree.registry.models import Actor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_corpus")]


SECRET = "Confidential assessment: the clandestine stockpile near the river was never declared."
TEXTS = [
    ("Le manque de financements freine le déminage des zones frontalières.", "fr", "SEN"),
    ("Les opérations de deminage ont repris après la saison des pluies.", "fr", "SEN"),
    ("The lack of funding delayed clearing operations in the provinces.", "en", "PER"),
    ("La falta de financiación limita el desminado humanitario.", "es", "COL"),
]


def _add(source: str, texts: list[tuple[str, str, str]], origin: str = Origin.REPORTED) -> None:
    services.passages_replace(
        actor=SYSTEM,
        source_kind="test.source",
        source_id=source,
        passages=[
            PassageInput(
                text=text,
                locator=f"paragraph {n}",
                kind="statement",
                language=lang,
                state=Actor.objects.get(iso3=iso3),
                year=2020 + n,
                url=f"/sources/{source}/#p{n}",
                origin=origin,
            )
            for n, (text, lang, iso3) in enumerate(texts, 1)
        ],
    )


@pytest.fixture
def world(cast: dict[str, Any]) -> None:
    _add("statements", TEXTS)
    services.document_add(
        actor=cast["committee_chair"],
        title="Committee assessment",
        kind="study",
        language="en",
        file=SimpleUploadedFile("note.txt", SECRET.encode(), content_type="text/plain"),
        states=[Actor.objects.get(iso3="COL")],
        year=2024,
        visibility=Visibility.COMMITTEE,
    )


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_ranked_hits_with_marks_their_source_and_facets(client, world):
    response = client.get("/knowledge/", {"q": "deminage"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="hit"') == 2
    assert "<mark>déminage</mark>" in html and "<mark>deminage</mark>" in html
    assert 'data-ranking="full-text"' in html and "Ranking: full-text" in html
    assert 'href="/sources/statements/#p1"' in html and "paragraph 1" in html
    assert 'data-facet="language"' in html and 'data-count="2"' in html
    assert 'href="?q=deminage&amp;language=fr"' in html  # a facet value adds itself


def test_a_chosen_facet_is_marked_and_its_link_removes_it(client, world):
    html = client.get("/knowledge/?q=financement&language=fr").content.decode()
    assert 'aria-current="true"' in html
    assert 'href="?q=financement"' in html
    assert '<input type="hidden" name="language" value="fr">' in html


def test_browsing_without_words_lists_newest_first_and_pages(client, world):
    html = client.get("/knowledge/").content.decode()
    assert 'data-ranking="browse"' in html and html.count('class="hit"') == 4
    assert html.index("financiación limita") < html.index("financements freine")  # 2024, 2021


def test_no_result_says_what_to_try(client, world):
    html = client.get("/knowledge/", {"q": "zzyzx"}).content.decode()
    assert 'class="no-results"' in html and "sign in" in html.lower()


def test_a_wrong_filter_is_explained_not_a_crash(client, world):
    response = client.get("/knowledge/?q=deminage&kind=poem&year=1800")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown value poem" in html and "none was applied" in html
    assert html.count('class="hit"') == 2


def test_synthetic_passages_are_labelled(client, world):
    _add("demo", [("Synthetic landslide narrative.", "en", "PER")], origin=Origin.SYNTHETIC)
    html = client.get("/knowledge/", {"q": "landslide"}).content.decode()
    assert 'class="synthetic-label"' in html


def test_the_page_speaks_the_readers_language(client, world):
    html = client.get("/fr/knowledge/", {"q": "deminage"}).content.decode()
    assert 'lang="fr"' in html and "<mark>deminage</mark>" in html


@pytest.mark.parametrize("who", ["anonymous", "donor_japan", "focal_point_peru"])
def test_the_page_never_shows_a_committee_document_to_others(client, cast, world, who):
    if cast[who]:
        client.force_login(cast[who])
    html = client.get("/knowledge/", {"q": "clandestine"}).content.decode()
    assert "stockpile near the river" not in html and "<mark>" not in html
    assert 'class="hit"' not in html and 'class="no-results"' in html
    html = client.get("/knowledge/").content.decode()
    assert "Committee assessment" not in html and 'data-value="study"' not in html


def test_the_committee_finds_it_on_the_page(client, cast, world):
    client.force_login(cast["committee_chair"])
    html = client.get("/knowledge/", {"q": "clandestine"}).content.decode()
    assert "<mark>clandestine</mark>" in html and "Committee assessment" in html


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/knowledge/?q=deminage+financement", "/knowledge/?q=&language=fr", "/knowledge/"]
)
def test_the_page_reads_in_a_fixed_number_of_queries(client, cast, world, url):
    client.force_login(cast["focal_point_peru"])
    few = _queries(client, url)
    for n in range(30):
        _add(
            f"more-{n}",
            [(f"{text} Paragraph {n}.", lang, iso3) for text, lang, iso3 in TEXTS],
        )
    many = _queries(client, url)
    assert many == few
    assert many <= 12


# --- the API -------------------------------------------------------------------------------


def test_the_api_answers_the_same_search(client, world):
    body = client.get(
        "/api/knowledge/search", {"q": "financement", "language": ["fr", "es"]}
    ).json()
    assert (body["ranking"], body["total"], body["page"], body["pages"]) == ("full-text", 1, 1, 1)
    hit = body["hits"][0]
    assert set(hit) >= {"id", "snippet", "rank", "locator", "url", "state", "year", "labels"}
    assert [h["language"] for h in body["hits"]] == ["fr"]
    assert "<mark>" in hit["snippet"] and hit["url"].startswith("/sources/statements/")
    language = {v["value"]: v for v in body["facets"]["language"]}
    assert language["fr"]["count"] == 1 and language["fr"]["selected"]
    assert set(body["facets"]) == {
        "kind",
        "state",
        "year",
        "language",
        "article",
        "pillar",
        "category",
    }


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "poem"},
        {"year": "1800"},
        {"year": "abc"},
        {"article": "99"},
        {"state": "Peru"},
        {"page": "0"},
        {"page_size": "1000"},
        {"year_from": "2024", "year_to": "2020"},
    ],
)
def test_the_api_refuses_wrong_filters_with_422(client, params):
    response = client.get("/api/knowledge/search", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", False),
        ("donor_japan", False),
        ("focal_point_peru", False),
        ("focal_point_colombia", True),
        ("committee_chair", True),
        ("isu_staff", True),
    ],
)
def test_the_api_shows_a_committee_document_only_to_whom_may_read_it(
    client, cast, world, who, sees
):
    headers = bearer(cast[who]) if cast[who] else {}
    body = client.get("/api/knowledge/search", {"q": "clandestine"}, **headers).json()
    assert body["total"] == (1 if sees else 0)
    kinds = {
        v["value"] for v in client.get("/api/knowledge/search", **headers).json()["facets"]["kind"]
    }
    assert ("study" in kinds) == sees
