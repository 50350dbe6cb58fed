"""Parallel requests to a real server: a report step sent several times at once counts once.

Against ``minefree runserver`` (a thread per request) on its own database, SQLite or
PostgreSQL like the rest of the run. Peru's focal point works on years no other live test
uses (2015-2017).
"""

from __future__ import annotations

import re

import pytest

from minefree.site.tests.browser import LiveServer
from minefree.site.tests.web import WebClient, WebResponse, forms_in

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("browser")]

PERU_PK = re.compile(r'name="state" value="(\d+)"')


def _location_pk(response: WebResponse, pattern: str) -> int:
    location = response.headers.get("Location", "")
    match = re.search(pattern, location)
    assert match, f"no {pattern} in the redirect {location!r} ({response.status})"
    return int(match[1])


def _ready_draft(peru: WebClient, year: int) -> int:
    """Open Peru's report for ``year`` and explain its warnings; the draft's id."""
    home = peru.get("/reports/")
    state = PERU_PK.search(home.text)
    assert state, "the reporting home offers no state to open a report for"
    opened = peru.post("/reports/open/", {"state": state[1], "year": year, "kind": "annual"})
    pk = _location_pk(opened, r"/reports/v/(\d+)/")
    page = peru.get(f"/reports/v/{pk}/")
    for form in forms_in(page.text, f"/reports/v/{pk}/explain/"):
        peru.post(form.action, form.fields | {"text": "Explained for the test."})
    return pk


def _events(live: LiveServer, action: str, object_type: str, pk: int) -> list[tuple[object, ...]]:
    return live.query(
        "SELECT after FROM core_auditevent WHERE action = %s AND object_type = %s"
        " AND object_id = %s",
        action,
        object_type,
        str(pk),
    )


def test_eight_submissions_at_once_give_one_submitted_version(live: LiveServer) -> None:
    peru = WebClient(live.url).sign_in("focal_point_peru")
    pk = _ready_draft(peru, 2015)
    answers = peru.parallel(8, lambda: peru.post(f"/reports/v/{pk}/submit/", {"confirmed": "yes"}))
    assert {a.status for a in answers} == {302}, [a.status for a in answers]
    (status, submitted_at), *more = live.query(
        "SELECT status, submitted_at FROM reporting_reportversion WHERE id = %s", pk
    )
    assert status == "submitted" and not more
    events = _events(live, "report.submitted", "reporting.reportversion", pk)
    assert len(events) == 1, events
    assert submitted_at is not None
    late = peru.post(
        f"/reports/v/{pk}/submit/", {"confirmed": "yes"}
    )  # a late click is told who submitted, when
    assert late.headers["Location"] == f"/reports/v/{pk}/"
    page = peru.get(late.headers["Location"])
    assert "already submitted on" in page.text and "by focal_point_peru" in page.text


def test_an_amendment_and_an_answer_sent_twice_at_once_take_effect_once(live: LiveServer) -> None:
    peru = WebClient(live.url).sign_in("focal_point_peru")
    isu = WebClient(live.url).sign_in("isu_staff")
    pk = _ready_draft(peru, 2016)
    assert peru.post(f"/reports/v/{pk}/submit/", {"confirmed": "yes"}).status == 302

    asked = isu.get(f"/reports/v/{pk}/")
    ask = forms_in(asked.text, f"/reports/v/{pk}/clarifications/")[0]
    sent = isu.parallel(
        2, lambda: isu.post(ask.action, ask.fields | {"letter": "C", "question": "Which region?"})
    )
    assert {s.status for s in sent} == {302}
    page = peru.get(f"/reports/v/{pk}/")
    answer_forms = [f for f in forms_in(page.text) if f.action.endswith("/answer/")]
    assert len(answer_forms) == 1, "one question asked twice at once must be one question"
    form = answer_forms[0]
    peru.parallel(2, lambda: peru.post(form.action, form.fields | {"answer": "Cajamarca."}))
    page = peru.get(f"/reports/v/{pk}/")
    assert page.text.count("Cajamarca.") == 1
    assert not [f for f in forms_in(page.text) if f.action.endswith("/answer/")]

    amend = {"reason": "Form C corrected after the clarification."}
    answers = peru.parallel(2, lambda: peru.post(f"/reports/v/{pk}/amend/", amend))
    drafts = {
        match[1]
        for a in answers
        if (match := re.search(r"/reports/v/(\d+)/$", a.headers.get("Location", "")))
        and int(match[1]) != pk
    }
    assert len(drafts) == 1, [(a.status, a.headers.get("Location")) for a in answers]
