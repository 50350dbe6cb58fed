"""The JSON API: filters and pagination like the UI, dates with precision and source."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from minefree.api.management.commands.export_openapi import DEFAULT_PATH, render_schema

pytestmark = pytest.mark.django_db


def test_committed_openapi_document_is_current():
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render_schema()


def test_states_list_paginates_and_filters(client: Client):
    first = client.get("/api/states?limit=10").json()
    second = client.get("/api/states?limit=10&offset=10").json()
    assert first["count"] == second["count"] >= 160
    assert len(first["items"]) == 10
    assert {i["iso3"] for i in first["items"]}.isdisjoint({i["iso3"] for i in second["items"]})
    americas = client.get("/api/states?region=Americas&open_article=5&limit=200").json()
    codes = {i["iso3"] for i in americas["items"]}
    assert "PER" in codes and "HRV" not in codes
    assert [
        i["iso3"] for i in client.get("/api/states?q=Lao%20PDR").json()["items"]
    ] == []  # not a party
    assert [
        i["iso3"] for i in client.get("/api/states?q=Lao%20PDR&status=not_party").json()["items"]
    ] == ["LAO"]


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=500", "offset=-1", "status=maybe", "open_article=6"]
)
def test_bad_list_parameters_are_clear_errors(client: Client, query: str):
    response = client.get(f"/api/states?{query}")
    assert response.status_code == 422


def test_state_detail_gives_dates_with_precision_and_source(client: Client):
    peru = client.get("/api/states/PER").json()
    art5 = next(o for o in peru["obligations"] if o["article"] == 5)
    assert art5["current_deadline"] == {
        "value": "2029-12-31",
        "precision": "day",
        "earliest": "2029-12-31",
        "latest": "2029-12-31",
    }
    assert art5["events"][-1]["meeting_code"] == "5RC"
    assert "mineactionreview.org" in art5["events"][-1]["source"]["urls"][0]
    assert peru["entry_into_force"] == {
        "earliest": "1999-03-01",
        "latest": "1999-03-01",
        "exact": True,
    }
    assert peru["name_fr"] == "Pérou"
    turkiye = client.get("/api/states/tur").json()
    assert turkiye["deposit"]["date"]["precision"] == "year"
    assert turkiye["entry_into_force"]["exact"] is False
    assert turkiye["initial_report_due"] == {
        "earliest": "2003-12-28",
        "latest": "2004-11-28",
        "exact": False,
    }
    ukraine = client.get("/api/states/UKR").json()
    assert ukraine["status"] == "withdrawal_pending" and ukraine["withdrawal"]["effective"] is None


def test_unknown_values_are_null_not_guessed(client: Client):
    saint_vincent = client.get("/api/states/VCT").json()
    assert saint_vincent["entry_into_force"] is None
    assert saint_vincent["deposit"]["date"] is None
    assert saint_vincent["obligations"] == []


def test_unknown_state_is_a_404_with_a_code(client: Client):
    response = client.get("/api/states/XXX")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_meetings_and_committees(client: Client):
    meetings = {m["code"]: m for m in client.get("/api/meetings").json()}
    assert meetings["5RC"]["president_state"] == "KHM"
    assert meetings["5RC"]["start"]["value"] == "2024-11-25"
    committees = {c["code"]: c for c in client.get("/api/committees").json()}
    chairs = {
        (s["committee"], s["term_start_meeting"])
        for s in committees["cooperation_assistance"]["seats"]
        if s["role"] == "chair"
    }
    assert ("cooperation_assistance", "21MSP") in chairs
    seats = committees["cooperation_assistance"]["seats"]
    by_term = {(s["state_iso3"], s["role"], s["term_start_meeting"]) for s in seats}
    assert ("DZA", "chair", "21MSP") in by_term and ("IDN", "chair", "3RC") in by_term
    assert all(s["state_iso3"] and s["state_name"] for s in seats)


def test_writes_need_a_signed_in_user(client: Client):
    response = client.post(
        "/api/accounts/delegations",
        data=json.dumps({"state": "PER", "colleague": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_every_schema_of_the_api_has_a_name_of_its_own():
    """The OpenAPI document names a schema by its class name alone: two classes of one name
    would silently share one definition, and answers would not fit their documented schema."""
    from collections import defaultdict

    from ninja import Schema

    import minefree.api.api  # noqa: F401 (every router, and so every schema, imported)

    names: dict[str, set[str]] = defaultdict(set)

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("minefree."):
                names[sub.__name__].add(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    walk(Schema)
    assert {name: where for name, where in names.items() if len(where) > 1} == {}
