"""Writers at once on a real server: of several changes of one row made from the same
version exactly one is saved and the others get 412 (no update lost, over the API or on
the page), of two submissions of one draft one submits and the other gets 409, and of two
calls opening one draft one opens it (201) and the other finds it (200).

Against ``minefree runserver`` (a thread per request) on its own database, SQLite or
PostgreSQL like the rest of the run. Peru's people work on years no other live test uses
(2010-2013).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from minefree.reporting.tests.factories import tied_inputs
from minefree.site.tests.browser import LiveServer
from minefree.site.tests.web import WebClient, WebResponse, forms_in

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("browser")]

REGION = {"region": "Cajamarca", "hazard_class": "CHA", "area_m2": 12000}


def _token(client: WebClient, name: str) -> str:
    page = client.get("/account/").text
    form = next(f for f in forms_in(page) if f.action and f.action.endswith("/account/tokens/"))
    client.post(form.action, form.fields | {"t-name": name, "t-expires_in_days": "1"})
    match = re.search(r"<code data-token>([^<]+)</code>", client.get("/account/").text)
    assert match, "the account page shows the new token once"
    return match[1]


class Api:
    """Peru's focal point's system, with a personal token."""

    def __init__(self, live: LiveServer, name: str) -> None:
        self.web = WebClient(live.url)
        self.headers = {
            "Authorization": f"Bearer {_token(WebClient(live.url).sign_in('focal_point_peru'), name)}",
            "Content-Type": "application/json",
        }

    def __call__(self, method: str, path: str, body: Any = None, **headers: str) -> WebResponse:
        data = json.dumps(body).encode() if body is not None else None
        sent = self.headers | {k.replace("_", "-"): v for k, v in headers.items()}
        return self.web.request(method, path, body=data, headers=sent)


def _draft(api: Api, year: int) -> int:
    opened = api("POST", "/api/reports/drafts", {"state": "PER", "year": year})
    assert opened.status in (200, 201), opened.text
    return int(opened.json()["id"])


def _at_once(client: WebClient, senders: list[Callable[[], WebResponse]]) -> list[WebResponse]:
    """Each of ``senders`` at the same moment (``pop`` hands each thread its own)."""
    return client.parallel(len(senders), lambda: senders.pop()())


def test_parallel_changes_of_one_row_from_one_version_save_exactly_one(live: LiveServer) -> None:
    api = Api(live, "reporting-parallel-rows")
    pk = _draft(api, 2011)
    added = api("POST", f"/api/reports/{pk}/forms/C/tables/mined_areas/rows", REGION)
    assert added.status == 201, added.text
    row, version = added.headers["Location"], added.headers["ETag"]
    areas = [11000 + n for n in range(6)]

    def change() -> WebResponse:
        return api("PATCH", row, {"area_m2": areas.pop()}, If_Match=version)  # pop is atomic

    answers = api.web.parallel(6, change)
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] + [412] * 5, statuses
    winner = next(a for a in answers if a.status == 200).json()
    assert all(a.json()["code"] == "version_conflict" for a in answers if a.status == 412)
    ((data,),) = live.query("SELECT data FROM reporting_formrow WHERE id = %s", winner["id"])
    saved = json.loads(data) if isinstance(data, str) else data
    assert saved == REGION | {"area_m2": winner["data"]["area_m2"]}
    events = live.query(
        "SELECT count(*) FROM core_auditevent WHERE action = 'report.row_saved' AND object_id = %s",
        str(winner["id"]),
    )
    assert events == [(2,)]  # the row's creation and the one change that won


def test_two_submissions_at_once_submit_once_and_tell_the_other(live: LiveServer) -> None:
    api = Api(live, "reporting-parallel-submit")
    pk = _draft(api, 2012)
    contact = {"name": "Ana Torres", "email": "ana@example.org"}
    assert api("PUT", f"/api/reports/{pk}/contact", contact).status == 200
    for finding in api("GET", f"/api/reports/{pk}/findings").json()["findings"]:
        assert finding["severity"] == "warning", finding
        body = {"code": finding["code"], "target": finding["target"], "text": "Explained."}
        assert api("POST", f"/api/reports/{pk}/explanations", body).status == 200
    answers = api.web.parallel(2, lambda: api("POST", f"/api/reports/{pk}/submit"))
    assert sorted(a.status for a in answers) == [200, 409], [a.text for a in answers]
    late = next(a for a in answers if a.status == 409).json()
    assert late["code"] == "already_done" and "by focal_point_peru" in late["detail"]
    submitted = live.query(
        "SELECT count(*) FROM core_auditevent WHERE action = 'report.submitted' AND object_id = %s",
        str(pk),
    )
    assert submitted == [(1,)]


def test_two_editors_of_one_row_on_the_page_at_once_lose_nothing(live: LiveServer) -> None:
    api = Api(live, "reporting-parallel-page")
    pk = _draft(api, 2013)
    added = api("POST", f"/api/reports/{pk}/forms/C/tables/mined_areas/rows", REGION)
    row_id = added.json()["id"]
    page = f"/reports/v/{pk}/forms/C/"
    editors = {
        name: WebClient(live.url).sign_in(name) for name in ("focal_point_peru", "delegate_peru")
    }
    typed = {"focal_point_peru": "Cajamarca Sur", "delegate_peru": "Cajamarca Norte"}
    senders = []
    for name, client in editors.items():
        html = client.get(page).text
        (form,) = [f for f in forms_in(html) if f.fields.get("_row") == str(row_id)]
        fields = tied_inputs(html, f"row-form-{row_id}") | form.fields
        assert fields["_version"], "the row's form carries its version"
        values = fields | {"region": typed[name]}
        senders.append(lambda c=client, v=values: c.post(f"/reports/v/{pk}/forms/C/rows/", v))
    answers = _at_once(editors["focal_point_peru"], senders)
    assert sorted(a.status for a in answers) == [200, 302], [a.status for a in answers]
    told = next(a for a in answers if a.status == 200).text
    assert "changed this record" in told and "Nothing was saved" in told
    ((data,),) = live.query("SELECT data FROM reporting_formrow WHERE id = %s", row_id)
    region = (json.loads(data) if isinstance(data, str) else data)["region"]
    loser = next(name for name, text in typed.items() if text != region)
    assert region in typed.values() and typed[loser] in told  # their text is still there


def test_two_calls_opening_one_draft_at_once_answer_201_and_200(live: LiveServer) -> None:
    api = Api(live, "reporting-parallel-open")
    answers = api.web.parallel(
        2, lambda: api("POST", "/api/reports/drafts", {"state": "PER", "year": 2010})
    )
    assert sorted(a.status for a in answers) == [200, 201], [a.text for a in answers]
    first, second = answers
    assert first.headers["Location"] == second.headers["Location"]
    assert first.json()["id"] == second.json()["id"]
    assert first.headers["Location"] == f"/api/reports/{first.json()['id']}"
    opened = live.query(
        "SELECT count(*) FROM core_auditevent WHERE action = 'report.draft_opened' "
        "AND object_id = %s",
        str(first.json()["id"]),
    )
    assert opened == [(1,)]
