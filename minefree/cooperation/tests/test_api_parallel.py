"""Writers at once through the API on a real server: of several changes that read the same
version, exactly one is saved and the others get 412; no update is lost."""

from __future__ import annotations

import json
import re

import pytest

from minefree.site.tests.browser import LiveServer
from minefree.site.tests.web import WebClient, forms_in

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("browser")]

NEED = {
    "pillar": "survey_clearance",
    "assistance_type": "equipment",
    "title": "Parallel API test: detector kits",
    "year_from": 2026,
    "year_to": 2026,
}


def _token(client: WebClient, name: str) -> str:
    page = client.get("/account/").text
    form = next(f for f in forms_in(page) if f.action and f.action.endswith("/account/tokens/"))
    client.post(form.action, form.fields | {"t-name": name, "t-expires_in_days": "1"})
    match = re.search(r"<code data-token>([^<]+)</code>", client.get("/account/").text)
    assert match, "the account page shows the new token once"
    return match[1]


def test_parallel_changes_of_one_version_save_exactly_one(live: LiveServer) -> None:
    peru = WebClient(live.url).sign_in("focal_point_peru")
    bearer = {"Authorization": f"Bearer {_token(peru, 'parallel')}"}
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
