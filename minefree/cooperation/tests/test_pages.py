"""Cooperation pages and API: each visibility level read by each kind of reader; bounded queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need, Offer
from minefree.core.models import Visibility
from minefree.funding.models import Flow
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

ALL = set(Visibility.values)
#: The levels each reader reads in records it does not own.
READS = {
    "anonymous": {"public"},
    "no_role": {"public"},
    "focal_point_colombia": {"public", "states_parties"},
    "focal_point_peru": {"public", "states_parties"},
    "donor_japan": {"public", "states_parties"},
    "committee_chair": {"public", "states_parties", "committee"},
    "isu_staff": ALL,
}


def reads(who: str, level: str, *owners: str) -> bool:
    """The owner always reads its own records, whatever their visibility."""
    return level in READS[who] or who in owners


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def client_for(cast: dict[str, Any], who: str) -> Client:
    client = Client()
    if cast.get(who) is not None:
        client.force_login(cast[who])
    return client


def make_need(state: str = "PER", visibility: str = Visibility.PUBLIC, **extra: Any) -> Need:
    fields: dict[str, Any] = {
        "pillar": "survey_clearance",
        "assistance_type": "financial",
        "title": f"{visibility} need of {state}",
        "amount": Decimal(1_000_000),
        "currency": "USD",
        "amount_usd": Decimal(1_000_000),
        "year_from": 2025,
        "year_to": 2026,
    }
    fields.update(extra)
    return Need.objects.create(state=Actor.objects.get(iso3=state), visibility=visibility, **fields)


def make_offer(provider: str = "JPN", visibility: str = Visibility.PUBLIC) -> Offer:
    return Offer.objects.create(
        provider=Actor.objects.get(iso3=provider),
        visibility=visibility,
        title=f"{visibility} offer of {provider}",
        assistance_types=["financial"],
        pillars=["survey_clearance"],
        year_from=2025,
        year_to=2027,
    )


@pytest.mark.parametrize("who", sorted(READS))
def test_needs_pages_and_api_show_exactly_what_the_reader_may_read(
    cast: dict[str, Any], who: str
) -> None:
    needs = {level: make_need(visibility=level) for level in Visibility.values}
    client = client_for(cast, who)
    listing = client.get("/cooperation/needs/?state=PER").content.decode()
    api = client.get("/api/cooperation/needs?state=PER&limit=200").json()
    api_titles = {item["title"] for item in api["items"]}
    for level, need in needs.items():
        expected = reads(who, level, "focal_point_peru")
        assert (need.title in listing) is expected, (who, level)
        assert (need.title in api_titles) is expected, (who, level)
        detail = client.get(f"/cooperation/needs/{need.pk}/")
        assert detail.status_code == (200 if expected else 404), (who, level)
        api_detail = client.get(f"/api/cooperation/needs/{need.pk}")
        assert api_detail.status_code == (200 if expected else 404), (who, level)


@pytest.mark.parametrize("who", sorted(READS))
def test_flows_and_offers_honour_visibility(cast: dict[str, Any], who: str) -> None:
    japan, colombia = Actor.objects.get(iso3="JPN"), Actor.objects.get(iso3="COL")
    offers = {level: make_offer("NOR", level) for level in Visibility.values}
    flows = {
        level: Flow.objects.create(
            donor=japan,
            recipient=colombia,
            status="commitment",
            year=2024,
            amount=Decimal(1000 + i),
            currency="USD",
            amount_usd=Decimal(1000 + i),
            reported_by="donor",
            visibility=level,
            description=f"{level} flow",
        )
        for i, level in enumerate(Visibility.values)
    }
    client = client_for(cast, who)
    offer_ids = {o["id"] for o in client.get("/api/cooperation/offers?limit=200").json()["items"]}
    flow_ids = {
        f["id"] for f in client.get("/api/cooperation/flows?donor=JPN&limit=200").json()["items"]
    }
    csv_text = client.get("/cooperation/flows/export.csv?donor=JPN").content.decode()
    for level in Visibility.values:
        assert (offers[level].pk in offer_ids) is reads(who, level), (who, level)
        # Japan gave, Colombia received: both own the flows.
        expected = reads(who, level, "donor_japan", "focal_point_colombia")
        assert (flows[level].pk in flow_ids) is expected, (who, level)
        assert (f"{level} flow" in csv_text) is expected, (who, level)


def test_need_list_and_need_page_queries_do_not_grow_with_the_data(cast: dict[str, Any]) -> None:
    client = client_for(cast, "committee_chair")

    def counts() -> tuple[int, int]:
        need = Need.objects.filter(state__iso3="PER").first()
        assert need is not None
        with CaptureQueriesContext(connection) as listing:
            assert client.get("/cooperation/needs/").status_code == 200
        with CaptureQueriesContext(connection) as detail:
            assert client.get(f"/cooperation/needs/{need.pk}/").status_code == 200
        return len(listing), len(detail)

    make_need()
    make_offer()
    small = counts()
    for i in range(30):
        make_need(state=["PER", "COL", "KHM"][i % 3], title=f"need {i}")
        make_offer(provider=["JPN", "NOR", "DEU"][i % 3])
    assert counts() == small


def test_workspace_and_country_page_queries_do_not_grow(cast: dict[str, Any]) -> None:
    chair = client_for(cast, "committee_chair")

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as workspace:
            assert chair.get("/cooperation/workspace/").status_code == 200
        cache.clear()  # the factories bump no counter: render the shared parts afresh
        with CaptureQueriesContext(connection) as country:
            assert chair.get("/states/PER/").status_code == 200
        return len(workspace), len(country)

    make_need()
    make_offer()
    small = counts()
    for i in range(30):
        make_need(state=["PER", "COL", "KHM"][i % 3], title=f"need {i}")
        make_offer(provider=["JPN", "NOR", "DEU"][i % 3])
    assert counts() == small


@pytest.mark.parametrize("who", ["anonymous", "focal_point_peru", "donor_japan"])
def test_the_workspace_is_for_the_committee_and_staff(cast: dict[str, Any], who: str) -> None:
    response = client_for(cast, who).get("/cooperation/workspace/")
    assert response.status_code in (302, 403)
    if who != "anonymous":
        assert response.status_code == 403
        assert "committee members and ISU staff" in response.content.decode()


def test_flow_export_rejects_unknown_formats(cast: dict[str, Any]) -> None:
    assert client_for(cast, "anonymous").get("/cooperation/flows/export.pdf").status_code == 404


def test_a_new_flow_refreshes_the_cached_pages_of_donor_and_recipient(
    cast: dict[str, Any],
) -> None:
    from minefree.funding.flows import flow_record

    anonymous = Client()
    before = {code: anonymous.get(f"/states/{code}/") for code in ("JPN", "PER")}
    assert all(r.status_code == 200 for r in before.values())
    assert anonymous.get("/states/JPN/").headers.get("X-Page-Cache") == "hit"
    flow_record(
        actor=cast["donor_japan"],
        donor=Actor.objects.get(iso3="JPN"),
        recipient=Actor.objects.get(iso3="PER"),
        status="commitment",
        year=2025,
        amount=Decimal("123456"),
        currency="USD",
        reported_by="donor",
        pillar="survey_clearance",
    )
    for code in ("JPN", "PER"):
        page = anonymous.get(f"/states/{code}/")
        assert page.headers.get("X-Page-Cache") != "hit", code
        assert "123,456" in page.content.decode() or "123 456" in page.content.decode(), code


def test_the_workspace_separates_needs_no_offer_matches_from_suggestions(
    cast: dict[str, Any],
) -> None:
    matched = make_need(title="Deminers' training", assistance_type="training")
    lonely = make_need(
        title="Prosthetics workshop", pillar="victim_assistance", assistance_type="equipment"
    )
    offer = make_offer("JPN")
    offer.assistance_types = ["training"]  # neither equipment nor money
    offer.save()
    page = client_for(cast, "committee_chair").get("/cooperation/workspace/").content.decode()
    unmatched = page.split('id="unmatched"')[1].split("</section>")[0]
    suggested = page.split('id="suggested"')[1].split("</section>")[0]
    assert lonely.title in unmatched
    assert matched.title not in unmatched
    assert f'data-need="{matched.pk}"' in suggested


def test_a_need_keeps_where_it_was_stated(cast: dict[str, Any]) -> None:
    client = client_for(cast, "focal_point_peru")
    response = client.post(
        "/cooperation/needs/new/PER/",
        {
            "pillar": "victim_assistance",
            "assistance_type": "equipment",
            "title": "Prostheses for survivors",
            "quantity": "40 prostheses",
            "year_from": "2025",
            "year_to": "2025",
            "source_kind": "form_j",
            "source_ref": "Article 7 report 2024, version 1",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    need = Need.objects.get(title="Prostheses for survivors")
    assert (need.source_kind, need.source_ref) == ("form_j", "Article 7 report 2024, version 1")
    page = Client().get(f"/cooperation/needs/{need.pk}/").content.decode()
    assert "Article 7 report, Form J (Article 7 report 2024, version 1)" in page
    assert "40 prostheses" in page
