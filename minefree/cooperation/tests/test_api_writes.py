"""Needs over the API: the same service and rule as the page, 201 + Location on create, and
no lost update: a change must name the version it read (If-Match), a stale one gets 412."""

from __future__ import annotations

import pytest
from django.test import Client

from minefree.accounts.tests.factories import bearer, make_cast
from minefree.assistance.models import Need
from minefree.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEED = {
    "state": "PER",
    "pillar": "survey_clearance",
    "assistance_type": "equipment",
    "title": "Two mine detection dogs with handlers",
    "year_from": 2026,
    "year_to": 2027,
    "quantity": "2 dog teams",
}


@pytest.fixture
def cast():
    return make_cast()


def _client(user) -> tuple[Client, dict[str, str]]:
    return Client(), bearer(user, "imsma")


def _post(client: Client, headers: dict[str, str], body: dict):
    return client.post("/api/cooperation/needs", body, content_type="application/json", **headers)


def _put(client: Client, headers: dict[str, str], pk: int, body: dict, version: str | None):
    extra = {"HTTP_IF_MATCH": version} if version is not None else {}
    return client.put(
        f"/api/cooperation/needs/{pk}",
        body,
        content_type="application/json",
        **headers,
        **extra,
    )


def test_a_state_records_its_need_and_the_audit_names_the_token(cast):
    client, headers = _client(cast["focal_point_peru"])
    response = _post(client, headers, NEED)
    assert response.status_code == 201, response.content
    need = Need.objects.get()
    assert response["Location"] == f"/api/cooperation/needs/{need.pk}"
    assert response.json()["title"] == NEED["title"] and response["ETag"].startswith('"')
    assert client.get(response["Location"], **headers)["ETag"] == response["ETag"]
    event = AuditEvent.objects.get(action="need.created")
    assert event.api_token == "imsma" and event.state_code == "PER"


def test_refusals_change_nothing_and_say_why(cast):
    client, headers = _client(cast["focal_point_peru"])
    other = _post(client, headers, NEED | {"state": "COL"})
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    wrong = _post(client, headers, NEED | {"year_to": 2020})
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid"
    unknown = _post(client, headers, NEED | {"state": "XXX"})
    assert unknown.status_code == 404
    assert _post(Client(), {}, NEED).status_code == 401
    session = Client(enforce_csrf_checks=True)
    session.force_login(cast["focal_point_peru"])
    assert _post(session, {}, NEED).status_code in (401, 403)  # no CSRF token
    assert not Need.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="need.").exists()


def test_a_change_needs_the_version_it_read_and_a_stale_one_loses_nothing(cast):
    client, headers = _client(cast["focal_point_peru"])
    created = _post(client, headers, NEED)
    pk, first = created.json()["id"], created["ETag"]
    body = {k: v for k, v in NEED.items() if k != "state"}
    missing = _put(client, headers, pk, body | {"title": "Three dogs"}, None)
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    ours = _put(client, headers, pk, body | {"title": "Three dogs"}, first)
    assert ours.status_code == 200 and ours.json()["title"] == "Three dogs"
    assert ours["ETag"] != first
    theirs = _put(client, headers, pk, body | {"title": "One dog"}, first)
    assert theirs.status_code == 412 and theirs.json()["code"] == "version_conflict"
    assert theirs["ETag"] == ours["ETag"]
    assert Need.objects.get(pk=pk).title == "Three dogs"
    again = _put(client, headers, pk, body | {"title": "One dog"}, theirs["ETag"])
    assert again.status_code == 200 and Need.objects.get(pk=pk).title == "One dog"


def test_someone_else_s_need_cannot_be_changed_or_seen_through_the_api(cast):
    peru, peru_headers = _client(cast["focal_point_peru"])
    created = _post(peru, peru_headers, NEED | {"visibility": "private"})
    pk, version = created.json()["id"], created["ETag"]
    japan, japan_headers = _client(cast["donor_japan"])
    body = {k: v for k, v in NEED.items() if k != "state"} | {"title": "Taken over"}
    assert _put(japan, japan_headers, pk, body, version).status_code == 404
    assert Need.objects.get(pk=pk).title == NEED["title"]


OFFER = {
    "provider": "JPN",
    "title": "Mechanical demining equipment",
    "assistance_types": ["equipment"],
    "pillars": ["survey_clearance"],
    "year_from": 2026,
    "year_to": 2028,
    "priority_states": ["KHM"],
}


def test_a_donor_records_and_changes_its_offer_with_the_version_it_read(cast):
    client, headers = _client(cast["donor_japan"])
    created = client.post(
        "/api/cooperation/offers", OFFER, content_type="application/json", **headers
    )
    assert created.status_code == 201, created.content
    pk, first = created.json()["id"], created["ETag"]
    assert created["Location"] == f"/api/cooperation/offers/{pk}"
    assert created.json()["priority_states"] == ["KHM"]
    body = {k: v for k, v in OFFER.items() if k != "provider"} | {"priority_states": ["LAO"]}
    url = f"/api/cooperation/offers/{pk}"
    changed = client.put(url, body, content_type="application/json", HTTP_IF_MATCH=first, **headers)
    assert changed.status_code == 200 and changed.json()["priority_states"] == ["LAO"]
    assert changed["ETag"] != first  # a link alone changes the version
    stale = client.put(url, body, content_type="application/json", HTTP_IF_MATCH=first, **headers)
    assert stale.status_code == 412 and stale["ETag"] == changed["ETag"]
    event = AuditEvent.objects.filter(action="offer.updated").get()
    assert event.api_token == "imsma"


def test_only_the_provider_s_people_write_its_offer(cast):
    client, headers = _client(cast["focal_point_peru"])
    refused = client.post(
        "/api/cooperation/offers", OFFER, content_type="application/json", **headers
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert not AuditEvent.objects.filter(action__startswith="offer.").exists()
