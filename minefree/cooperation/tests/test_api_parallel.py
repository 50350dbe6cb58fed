"""Writers at once through the API on a real server: of several changes that read the same
version, exactly one is saved and the others get 412; no update is lost."""

from __future__ import annotations

import json

import pytest

from minefree.site.tests.browser import LiveServer
from minefree.site.tests.web import WebClient

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("browser")]

NEED = {
    "pillar": "survey_clearance",
    "assistance_type": "equipment",
    "title": "Parallel API test: detector kits",
    "year_from": 2026,
    "year_to": 2026,
}


def test_parallel_changes_of_one_version_save_exactly_one(live: LiveServer) -> None:
    peru = WebClient(live.url).sign_in("focal_point_peru")
    bearer = {"Authorization": f"Bearer {peru.new_api_token('parallel')}"}
    api = WebClient(live.url)
    json_headers = bearer | {"Content-Type": "application/json"}
    created = api.request(
        "POST",
        "/api/cooperation/needs",
        body=json.dumps(NEED | {"state": "PER"}).encode(),
        headers=json_headers,
    )
    assert created.status == 201, created.text
    pk, version = created.json()["id"], created.headers["ETag"]
    titles = [f"Parallel API test: version {n}" for n in range(6)]

    def change():
        body = json.dumps(NEED | {"title": titles.pop()}).encode()  # pop is atomic
        return api.request(
            "PUT",
            f"/api/cooperation/needs/{pk}",
            body=body,
            headers=json_headers | {"If-Match": version},
        )

    answers = api.parallel(6, change)
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] + [412] * 5, statuses
    winner = next(a for a in answers if a.status == 200)
    ((title,),) = live.query("SELECT title FROM assistance_need WHERE id = %s", pk)
    assert title == winner.json()["title"]


def _json_api(live: LiveServer, username: str, token_name: str) -> tuple[WebClient, dict[str, str]]:
    """A client with ``username``'s new personal token, sending JSON."""
    person = WebClient(live.url).sign_in(username)
    headers = {"Authorization": f"Bearer {person.new_api_token(token_name)}"}
    return WebClient(live.url), headers | {"Content-Type": "application/json"}


def test_parallel_changes_of_one_platform_version_save_exactly_one(live: LiveServer) -> None:
    api, headers = _json_api(live, "focal_point_peru", "parallel-platform")
    url = "/api/cooperation/platforms/PER"
    read = api.request("GET", url, headers=headers)
    if read.status == 404:  # no platform yet on this server: record it first
        body = json.dumps({"terms_of_reference": "Parallel API test."}).encode()
        read = api.request("PUT", url, body=body, headers=headers)
        assert read.status == 201, read.text
    version = read.headers["ETag"]
    terms = [f"Parallel API test: version {n}" for n in range(6)]

    def change():
        body = json.dumps({"terms_of_reference": terms.pop(), "members": ["JPN"]}).encode()
        return api.request("PUT", url, body=body, headers=headers | {"If-Match": version})

    answers = api.parallel(6, change)
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] + [412] * 5, statuses
    winner = next(a for a in answers if a.status == 200)
    assert all(a.headers["ETag"] == winner.headers["ETag"] for a in answers)
    ((saved,),) = live.query(
        "SELECT p.terms_of_reference FROM casework_nationalplatform p "
        "JOIN registry_actor a ON a.id = p.state_id WHERE a.iso3 = %s",
        "PER",
    )
    assert saved == winner.json()["terms_of_reference"]


def test_parallel_steps_of_one_case_version_take_exactly_one(live: LiveServer) -> None:
    api, headers = _json_api(live, "committee_chair", "parallel-case")
    request = {"state": "PER", "requested_on": "2024-03-01", "summary": "Parallel API test."}
    opened = api.request(
        "POST", "/api/cooperation/cases", body=json.dumps(request).encode(), headers=headers
    )
    assert opened.status == 201, opened.text
    url, version = opened.headers["Location"], opened.headers["ETag"]
    days = [f"2024-06-{day}" for day in range(10, 16)]

    def schedule():
        body = json.dumps({"on": days.pop(), "setting": "Geneva"}).encode()
        return api.request(
            "POST", f"{url}/schedule", body=body, headers=headers | {"If-Match": version}
        )

    answers = api.parallel(6, schedule)
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] + [412] * 5, statuses
    winner = next(a for a in answers if a.status == 200)
    ((planned,),) = live.query(
        "SELECT held_on FROM casework_casemeeting WHERE case_id = %s", opened.json()["id"]
    )
    assert str(planned) == winner.json()["meetings"][0]["held_on"]
