"""Public pages: content, honesty about unknowns, bounded queries, exact cache invalidation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor, Obligation
from minefree.registry.services import registry_record_save
from minefree.registry.tests.factories import grow_country, grow_registry

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/states/",
    "/states/PER/",
    "/meetings/",
    "/committees/",
    "/sign-in/",
    "/fr/",
    "/es/states/",
    "/fr/states/UKR/",
    "/states/USA/",
    "/states/TUR/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_public_page_renders(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert b"unknown</span>" not in response.content or url != "/"


def test_unknown_state_is_a_404(client: Client):
    assert client.get("/states/XXX/").status_code == 404


def test_peru_page_shows_its_current_deadline_history_and_sources(client: Client):
    html = client.get("/states/PER/").content.decode()
    assert 'datetime="2029-12-31"' in html
    assert "5th Review Conference (Nov 2024)" in html
    assert html.count('class="event-extension_granted"') == 3
    assert "mineactionreview.org" in html
    assert "No source in the reference data shows an Article 4 obligation" in html


def test_year_only_deposit_shows_a_year_and_an_interval(client: Client):
    html = client.get("/states/TUR/").content.decode()
    assert re.search(r'<time datetime="2003" data-precision="year">2003</time>', html)
    assert 'data-earliest="2003-07-01" data-latest="2004-06-01"' in html


def test_ukraine_withdrawal_is_shown_as_not_yet_effective(client: Client):
    html = client.get("/states/UKR/").content.decode()
    assert "Not yet effective" in html
    assert "tass.com" in html


def test_conflicting_values_are_shown_with_their_sources(client: Client):
    html = client.get("/states/YEM/").content.decode()
    assert "Another source gives:" in html and "2009-04-01" in html


def test_states_list_filters(client: Client):
    html = client.get("/states/?region=Americas&open_article=5").content.decode()
    assert "Peru" in html and "Croatia" not in html
    assert "Türkiye" in client.get("/states/?q=Turkey").content.decode()
    assert "Türkiye" in client.get("/states/?q=turquie").content.decode()
    assert "Peru" in client.get("/states/?deadline_year=2029").content.decode()
    withdrawn = client.get("/states/?status=withdrawn").content.decode()
    assert "Estonia" in withdrawn and "Peru" not in withdrawn


def test_states_list_htmx_returns_only_the_results(client: Client):
    response = client.get("/states/?q=peru", HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"Peru" in response.content


def test_french_and_spanish_pages_use_their_language(client: Client):
    assert 'lang="fr"' in client.get("/fr/states/PER/").content.decode()
    assert "Pérou" in client.get("/fr/states/PER/").content.decode()
    assert "Perú" in client.get("/es/states/PER/").content.decode()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_states_list_queries_stay_constant_when_data_grows_tenfold(client: Client):
    url = "/states/?sort=deadline&open_article=5"
    before = _queries(client, url)
    grow_registry(extra_states=Actor.objects.filter(kind="state").count() * 9)
    assert _queries(client, url.replace("sort=deadline", "sort=-deadline")) == before
    assert _queries(client, "/api/states?limit=200") == _queries(client, "/api/states?limit=20")


def test_country_page_queries_stay_constant_when_history_grows_tenfold(client: Client):
    before = _queries(client, "/states/PER/")
    events = Obligation.objects.get(actor__iso3="PER", article=5).events.count()
    grow_country("PER", events=events * 9, seats=20)
    assert _queries(client, "/fr/states/PER/") == before
    assert _queries(client, "/api/states/PER") <= before


def test_cached_country_page_is_invalidated_exactly_when_its_data_changes(client: Client):
    first = client.get("/states/PER/")
    assert first["X-Page-Cache"] == "miss"
    assert client.get("/states/PER/")["X-Page-Cache"] == "hit"
    assert client.get("/states/COL/")["X-Page-Cache"] == "miss"

    colombia = Obligation.objects.get(actor__iso3="COL", article=5)
    colombia.notes = "changed"
    registry_record_save(actor=SYSTEM, record=colombia, fields=["notes"])
    assert client.get("/states/PER/")["X-Page-Cache"] == "hit"  # Peru's data did not change

    peru = Obligation.objects.get(actor__iso3="PER", article=5)
    event = peru.events.last()
    event.deadline = event.deadline.replace(year=2031)
    registry_record_save(actor=SYSTEM, record=event, fields=["deadline"])
    fresh = client.get("/states/PER/")
    assert fresh["X-Page-Cache"] == "miss"
    assert 'datetime="2031-12-31"' in fresh.content.decode()


def test_signed_in_users_never_get_a_cached_page(client: Client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x-long-password")
    client.force_login(user)
    client.get("/states/PER/")
    assert "X-Page-Cache" not in client.get("/states/PER/")


def test_sources_are_named_by_their_own_title_without_collection_notes(client: Client):
    html = client.get("/states/TUR/").content.decode()
    assert "UN Treaty Collection: year of ratification or accession" in html
    assert "scraped" not in html.lower()
