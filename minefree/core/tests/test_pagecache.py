"""The page cache: forged hosts refused first, query strings normalised, dashboards cached."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor
from minefree.registry.services import registry_record_save

pytestmark = pytest.mark.django_db

#: Public pages and files anonymous visitors read most: each must be cached.
PUBLIC = [
    "/",
    "/states/",
    "/states/PER/",
    "/reports/",
    "/reports/compliance/",
    "/reports/compliance.csv",
    "/reports/compliance/states.csv?year=2024",
    "/reports/data/",
    "/cooperation/needs/",
    "/cooperation/offers/",
    "/cooperation/flows/",
    "/cooperation/flows/export.csv",
    "/cooperation/cases/",
    "/cooperation/flows/published-totals/",
    "/clearance/",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_are_served_from_the_cache_the_second_time(client: Client, url: str):
    first = client.get(url)
    assert first.status_code == 200, url
    assert first["X-Page-Cache"] == "miss"
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    for header in ("Content-Type", "Content-Disposition"):
        assert second.get(header) == first.get(header)


def test_unknown_parameters_do_not_make_a_new_page(client: Client):
    client.get("/states/PER/")
    for junk in ("?r=1", "?r=2&s=x", "?utm_source=mail"):
        page = client.get(f"/states/PER/{junk}")
        assert page["X-Page-Cache"] == "hit", junk
    client.get("/reports/compliance/?year=2024")
    assert client.get("/reports/compliance/?year=2024&r=9")["X-Page-Cache"] == "hit"
    assert client.get("/reports/compliance/?year=2023")["X-Page-Cache"] == "miss"


def test_parameter_order_does_not_matter_and_the_view_sees_only_its_own(client: Client):
    first = client.get("/states/?region=Americas&status=party&junk=<script>")
    assert first["X-Page-Cache"] == "miss"
    assert b"junk" not in first.content
    again = client.get("/states/?status=party&region=Americas")
    assert again["X-Page-Cache"] == "hit"


def test_a_forged_host_is_refused_even_when_the_page_is_cached(client: Client):
    assert client.get("/states/PER/")["X-Page-Cache"] == "miss"
    assert client.get("/states/PER/")["X-Page-Cache"] == "hit"
    forged = client.get("/states/PER/", HTTP_HOST="evil.example")
    assert forged.status_code == 400
    assert "X-Page-Cache" not in forged


def test_the_compliance_dashboard_is_refreshed_by_a_change(client: Client):
    client.get("/reports/compliance/")
    assert client.get("/reports/compliance/")["X-Page-Cache"] == "hit"
    peru = Actor.objects.get(iso3="PER")
    peru.name_en = "Peru (renamed)"
    registry_record_save(actor=SYSTEM, record=peru, fields=["name_en"])
    assert client.get("/reports/compliance/")["X-Page-Cache"] == "miss"


def _patterns(resolver: URLResolver) -> list[URLPattern]:
    found: list[URLPattern] = []
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            found += _patterns(item)
        else:
            found.append(item)
    return found


def test_every_cached_view_names_the_parameters_it_reads():
    """A cached view that reads an undeclared parameter would always see it dropped."""
    cached = [p for p in _patterns(get_resolver()) if hasattr(p.callback, "minefree_cached_page")]
    assert len(cached) >= 15
    for pattern in cached:
        page = pattern.callback.minefree_cached_page
        assert all(name.isidentifier() for name in page.params), pattern


def test_a_request_with_credentials_in_a_header_is_never_cached(client: Client):
    """A page answered for a token's user must never be replayed to anyone else."""
    client.get("/states/")
    bearer = client.get("/states/", HTTP_AUTHORIZATION="Bearer mf_x_y")
    assert "X-Page-Cache" not in bearer
    assert client.get("/states/")["X-Page-Cache"] == "hit"
