"""Parallel requests to a real server: cooperation steps sent several times at once count once.

The same person's browser sending a form twice or six times at once (double clicks, a
retry after a timeout): one partnership, one pledge, commitments never above the pledge,
one case step, one platform meeting. Against the live server on its own database.
"""

from __future__ import annotations

import re

import pytest

from minefree.site.tests.browser import LiveServer
from minefree.site.tests.web import WebClient, WebResponse, forms_in

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("browser")]

YEAR = 2026


def _pk(response: WebResponse, pattern: str) -> int:
    match = re.search(pattern, response.headers.get("Location", ""))
    assert match, f"{response.status}: no {pattern} in {response.headers.get('Location')!r}"
    return int(match[1])


def _form(
    client: WebClient, page: str, action_pattern: str = "", field: str = "request_key"
) -> tuple[str, dict[str, str]]:
    """The first form of ``page`` with ``field`` whose action matches: address and fields."""
    html = client.get(page).text
    for form in forms_in(html):
        if field in form.fields and re.search(action_pattern, form.action or page):
            return form.action or page, form.fields
    raise AssertionError(f"no form with {field} posting to {action_pattern!r} on {page}")


def _count(live: LiveServer, sql: str, *params: object) -> int:
    (value,), *_ = live.query(sql, *params)
    return int(value)  # type: ignore[call-overload]


def test_confirm_pledge_and_advance_sent_at_once_count_once(live: LiveServer) -> None:
    peru = WebClient(live.url).sign_in("focal_point_peru")
    japan = WebClient(live.url).sign_in("donor_japan")
    chair = WebClient(live.url).sign_in("committee_chair")

    action, fields = _form(peru, "/cooperation/needs/new/PER/")
    need = {
        "pillar": "survey_clearance",
        "assistance_type": "financial",
        "title": "Parallel test: clearance funding",
        "amount": "100",
        "currency": "USD",
        "year_from": YEAR,
        "year_to": YEAR,
        "source_kind": "direct",
        "visibility": "public",
    }
    created = peru.parallel(2, lambda: peru.post(action, fields | need))
    need_ids = {_pk(c, r"/cooperation/needs/(\d+)/") for c in created if c.status == 302}
    assert len(need_ids) == 1, "one need form sent twice must be one need"
    assert sorted(c.status for c in created) == [200, 302]
    need_id = need_ids.pop()

    action, fields = _form(japan, "/cooperation/offers/new/JPN/")
    offer = {
        "title": "Parallel test: funding for Peru",
        "assistance_types": "financial",
        "pillars": "survey_clearance",
        "priority_states": "PER",
        "year_from": YEAR,
        "year_to": YEAR,
        "visibility": "public",
    }
    offer_id = _pk(japan.post(action, fields | offer), r"/cooperation/offers/(\d+)/")

    confirm = f"/cooperation/needs/{need_id}/confirm/"
    answers = chair.parallel(2, lambda: chair.post(confirm, {"offer": offer_id}))
    assert {a.status for a in answers} == {302}
    partnerships = _count(
        live, "SELECT COUNT(*) FROM assistance_partnership WHERE need_id = %s", need_id
    )
    assert partnerships == 1
    partnership = (
        _pk(answers[0], r"/partnerships/(\d+)/")
        if "partnerships" in (answers[0].headers.get("Location", ""))
        else _pk(answers[1], r"/partnerships/(\d+)/")
    )

    action, fields = _form(japan, f"/cooperation/partnerships/{partnership}/", r"/pledge/$")
    pledge = {"status": "pledge", "amount": "100", "currency": "USD", "year": YEAR}
    pledge |= {"visibility": "public"}
    japan.parallel(2, lambda: japan.post(action, fields | pledge))
    pledges = live.query(
        "SELECT id FROM funding_flow WHERE partnership_id = %s AND status = 'pledge'",
        partnership,
    )
    assert len(pledges) == 1, "one pledge form sent twice must be one pledge"
    (pledge_id,) = pledges[0]

    advance = f"/cooperation/flows/{pledge_id}/advance/"
    answers = japan.parallel(6, lambda: japan.post(advance, {"status": "commitment"}))
    assert {a.status for a in answers} == {302}
    committed = live.query("SELECT amount FROM funding_flow WHERE follows_id = %s", pledge_id)
    assert len(committed) == 1, committed
    assert float(committed[0][0]) == 100.0  # type: ignore[arg-type]
    late = japan.post(advance, {"status": "commitment"})
    page = japan.get(late.headers["Location"])
    assert "already carried forward in full" in page.text


def test_case_steps_and_platform_meetings_sent_at_once_count_once(live: LiveServer) -> None:
    chair = WebClient(live.url).sign_in("committee_chair")
    peru = WebClient(live.url).sign_in("focal_point_peru")

    action, fields = _form(chair, "/cooperation/cases/new/")
    request = {
        "state": "PER",
        "requested_on": "2024-03-01",
        "summary": "Parallel test: support to finish clearance.",
        "visibility": "public",
    }
    opened = chair.parallel(2, lambda: chair.post(action, fields | request))
    case_ids = {_pk(o, r"/cooperation/cases/(\d+)/") for o in opened if o.status == 302}
    assert len(case_ids) == 1, "one request form sent twice must be one case"
    assert sorted(o.status for o in opened) == [200, 302]  # the twin: "already recorded"
    assert "already recorded" in next(o.text for o in opened if o.status == 200)
    case = case_ids.pop()

    def step(name: str, data: dict[str, str], times: int = 2) -> None:
        url = f"/cooperation/cases/{case}/{name}/"
        _action, fields = _form(
            chair, f"/cooperation/cases/{case}/", re.escape(url) + "$", "csrfmiddlewaretoken"
        )
        prefixed = {f"{name}-{key}": value for key, value in data.items()}
        answers = chair.parallel(times, lambda: chair.post(url, fields | prefixed))
        assert {a.status for a in answers} == {302}

    step("schedule", {"on": "2024-06-18", "setting": "Geneva"})
    step(
        "meeting",
        {
            "on": "2024-06-18",
            "setting": "Geneva",
            "participants": "PER, JPN",
            "visibility": "public",
        },
    )
    step("follow_up", {})
    meetings = _count(live, "SELECT COUNT(*) FROM casework_casemeeting WHERE case_id = %s", case)
    held = _count(
        live,
        "SELECT COUNT(*) FROM core_auditevent WHERE action = 'case.held' AND object_id = %s",
        str(case),
    )
    follow_ups = _count(
        live,
        "SELECT COUNT(*) FROM core_auditevent WHERE action = 'case.followed_up' AND object_id = %s",
        str(case),
    )
    assert (meetings, held, follow_ups) == (1, 1, 1)

    platform = {"platform-visibility": "public", "platform-terms_of_reference": "Yearly."}
    # the platform's own form, with the version it shows (another test may have recorded one)
    _action, fields = _form(peru, "/cooperation/platforms/PER/", "", "platform-visibility")
    assert peru.post("/cooperation/platforms/PER/", fields | platform).status == 302
    html = peru.get("/cooperation/platforms/PER/").text
    meeting_form = next(f for f in forms_in(html) if "meeting-request_key" in f.fields)
    meeting = {"meeting-held_on": "2025-02-10", "meeting-progress": "Parallel test meeting."}
    peru.parallel(
        2, lambda: peru.post("/cooperation/platforms/PER/", meeting_form.fields | meeting)
    )
    recorded = _count(
        live,
        "SELECT COUNT(*) FROM casework_platformmeeting WHERE progress = %s",
        "Parallel test meeting.",
    )
    assert recorded == 1
