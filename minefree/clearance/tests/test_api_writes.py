"""Extension requests written over the API: the whole request as one JSON document (201,
Location, ETag), its draft changed only from the version read (428, 412), each step of the
process taken once (409), refused values named by their place in the document (422)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from minefree.accounts.tests.factories import bearer, make_cast
from minefree.clearance import services
from minefree.clearance.models import ExtensionRequest, RequestVersion
from minefree.clearance.tests.factories import DECIDED_ON, PERU_REQUEST, filled_draft, submitted
from minefree.clearance.xlsx import export_xlsx
from minefree.core.models import AuditEvent

pytestmark = pytest.mark.django_db
BASE = "/api/extension-requests"


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


class Api:
    """A script of ``user``, with a personal token."""

    def __init__(self, user: Any) -> None:
        self.client = Client()
        self.headers = bearer(user, "imsma")

    def send(self, method: str, path: str, body: Any = None, version: str | None = None) -> Any:
        extra = {"HTTP_IF_MATCH": version} if version is not None else {}
        send = getattr(self.client, method)
        if body is None:
            return send(path, **self.headers, **extra)
        return send(path, body, content_type="application/json", **self.headers, **extra)


@pytest.fixture
def peru_api(cast) -> Api:
    return Api(cast["focal_point_peru"])


def test_a_state_files_its_request_as_one_document(cast, peru_api):
    answer = peru_api.send("post", BASE, PERU_REQUEST | {"state": "PER"})
    assert answer.status_code == 201, answer.content
    request = ExtensionRequest.objects.get()
    draft = request.versions.get()
    assert answer["Location"] == f"{BASE}/{request.pk}"
    assert answer["ETag"] == f'"{services.version_version(draft)}"'
    body = answer.json()
    assert body["state"] == "PER" and body["number"] == 1 and body["status"] == "draft"
    assert [m["area_m2"] for m in body["milestones"]] == ["40000", "40000", "60000", "50000"]
    assert body["budget"][0]["amount_usd"] == "1200000.00"
    assert draft.milestones.count() == 4 and draft.narratives["rationale"].startswith("Five")
    read = peru_api.send("get", f"{BASE}/{request.pk}/draft")
    assert read.status_code == 200 and read["ETag"] == answer["ETag"]
    event = AuditEvent.objects.get(action="extension_request.filled")
    assert event.api_token == "imsma" and event.state_code == "PER"
    again = peru_api.send("post", BASE, PERU_REQUEST | {"state": "PER"})
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    assert "draft open (version 1)" in again.json()["detail"]


def test_refused_values_are_named_by_their_place_in_the_document(peru_api):
    bad = PERU_REQUEST | {
        "state": "PER",
        "milestones": [
            {"year": 2030, "method": "cleared", "area_m2": 1},
            {"year": 1990, "method": "flattened", "area_m2": -5},
        ],
        "budget": [{"year": 2030, "source": "national", "amount": 1, "currency": "US"}],
        "narratives": {"summary": "Not a section of a request."},
    }
    answer = peru_api.send("post", BASE, bad)
    assert answer.status_code == 422 and answer.json()["code"] == "invalid"
    assert set(answer.json()["fields"]) == {
        "milestones.1.year",
        "milestones.1.method",
        "milestones.1.area_m2",
        "budget.0.currency",
        "narratives.summary",
    }
    typed = peru_api.send("post", BASE, PERU_REQUEST | {"state": "PER", "budget": [{"year": 1}]})
    assert typed.status_code == 422
    assert {"budget.0.source", "budget.0.amount", "budget.0.currency"} <= set(
        typed.json()["fields"]
    )
    assert not ExtensionRequest.objects.exists()
    unknown = peru_api.send("post", BASE, PERU_REQUEST | {"state": "XXX"})
    assert unknown.status_code == 404


def test_a_draft_changes_only_from_the_version_read(cast, peru_api):
    draft = filled_draft(cast["focal_point_peru"])
    path = f"{BASE}/{draft.request_id}/draft"
    read = peru_api.send("get", path)
    changed = PERU_REQUEST | {"language": "fr", "capacity": []}
    missing = peru_api.send("put", path, changed)
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    done = peru_api.send("put", path, changed, read["ETag"])
    assert done.status_code == 200, done.content
    assert done["ETag"] != read["ETag"] and done.json()["language"] == "fr"
    assert done.json()["capacity"] == []  # a table left out of the document is emptied
    stale = peru_api.send("put", path, PERU_REQUEST, read["ETag"])
    assert stale.status_code == 412 and stale.json()["code"] == "version_conflict"
    assert stale["ETag"] == done["ETag"]
    assert RequestVersion.objects.get(pk=draft.pk).language == "fr"
    staff = Api(cast["isu_staff"]).send("put", path, PERU_REQUEST, done["ETag"])
    assert staff.status_code == 403  # ISU staff read drafts but the request is the state's
    other = Api(cast["focal_point_colombia"]).send("put", path, PERU_REQUEST, done["ETag"])
    assert other.status_code == 404


def test_the_state_submits_once_and_revises_with_a_reason(cast, peru_api):
    empty = peru_api.send(
        "post",
        BASE,
        {"state": "PER", "submitted_on": "2029-03-31", "requested_deadline": "2034-12-31"},
    )
    request_id = empty.json()["request"]
    refused = peru_api.send("post", f"{BASE}/{request_id}/submit")
    assert refused.status_code == 422
    assert {"milestones", "budget", "remaining", "narratives.impediments"} <= set(
        refused.json()["fields"]
    )
    peru_api.send("put", f"{BASE}/{request_id}/draft", PERU_REQUEST, empty["ETag"])
    done = peru_api.send("post", f"{BASE}/{request_id}/submit")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "submitted" and done.json()["current_version"] == 1
    again = peru_api.send("post", f"{BASE}/{request_id}/submit")
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    no_reason = peru_api.send("post", f"{BASE}/{request_id}/revisions", {"reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["fields"]
    revision = peru_api.send("post", f"{BASE}/{request_id}/revisions", {"reason": "Questions"})
    assert revision.status_code == 201 and revision.json()["number"] == 2
    assert revision["Location"] == f"{BASE}/{request_id}/draft"
    assert peru_api.send("get", revision["Location"])["ETag"] == revision["ETag"]
    twice = peru_api.send("post", f"{BASE}/{request_id}/revisions", {"reason": "Again"})
    assert twice.status_code == 409


def test_questions_are_asked_by_the_committees_and_answered_once_by_the_state(cast, peru_api):
    request = submitted(cast["focal_point_peru"]).request
    chair = Api(cast["committee_chair"])
    denied = peru_api.send("post", f"{BASE}/{request.pk}/questions", {"text": "Why?"})
    assert denied.status_code == 403
    asked = chair.send("post", f"{BASE}/{request.pk}/questions", {"text": "Teams in 2031?"})
    assert asked.status_code == 201, asked.content
    assert Client().get(asked["Location"]).json()["text"] == "Teams in 2031?"  # public
    answer_path = f"{asked['Location']}/answer"
    answered = peru_api.send("post", answer_path, {"answer": "Four teams."})
    assert answered.status_code == 200 and answered.json()["answer"] == "Four teams."
    again = peru_api.send("post", answer_path, {"answer": "Five."})
    assert again.status_code == 409
    gone = peru_api.send("post", f"{BASE}/{request.pk}/questions/999999/answer", {"answer": "x"})
    assert gone.status_code == 404


def test_the_analysis_text_is_versioned_and_published_once(cast):
    request = submitted(cast["focal_point_peru"]).request
    chair = Api(cast["committee_chair"])
    path = f"{BASE}/{request.pk}/analysis"
    text = {"sections": {"summary": "Peru asks five years."}}
    assert chair.send("put", path, text).status_code == 428
    first = chair.send("put", path, text, '""')  # no analysis yet
    assert first.status_code == 200, first.content
    assert first.json()["number"] == 1 and first.json()["status"] == "draft"
    stale = chair.send("put", path, {"sections": {"summary": "Mine."}}, '""')
    assert stale.status_code == 412 and stale["ETag"] == first["ETag"]
    unknown = chair.send("put", path, {"sections": {"verdict": "No."}}, first["ETag"])
    assert unknown.status_code == 422 and "sections.verdict" in unknown.json()["fields"]
    published = chair.send("post", f"{path}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert chair.send("post", f"{path}/publish").status_code == 409
    second = chair.send("put", path, text, published["ETag"])
    assert second.status_code == 200 and second.json()["number"] == 2


def test_isu_staff_record_the_decision_and_what_its_requests_became(cast):
    request = submitted(cast["focal_point_peru"]).request
    staff = Api(cast["isu_staff"])
    path = f"{BASE}/{request.pk}/decision"
    decision = {
        "outcome": "granted_with_requests",
        "decided_on": DECIDED_ON.isoformat(),
        "requirements": [{"text": "An updated workplan", "due_on": "2031-04-30"}],
    }
    no_deadline = staff.send("post", path, decision)
    assert no_deadline.status_code == 422 and "new_deadline" in no_deadline.json()["fields"]
    no_meeting = staff.send("post", path, decision | {"new_deadline": "2034-12-31", "meeting": "x"})
    assert no_meeting.status_code == 422 and "meeting" in no_meeting.json()["fields"]
    chair = Api(cast["committee_chair"])
    assert chair.send("post", path, decision | {"new_deadline": "2034-12-31"}).status_code == 403
    done = staff.send("post", path, decision | {"new_deadline": "2034-12-31"})
    assert done.status_code == 201, done.content
    assert done["Location"] == f"{BASE}/{request.pk}"
    body = done.json()
    assert body["new_deadline"] == "2034-12-31" and len(body["requirements"]) == 1
    again = staff.send("post", path, decision | {"outcome": "not_granted"})
    assert again.status_code == 409
    met_path = f"{BASE}/{request.pk}/requirements/{body['requirements'][0]['id']}/met"
    met = chair.send("post", met_path, {"met_on": "2031-04-15", "note": "Received."})
    assert met.status_code == 200 and met.json()["met_on"] == "2031-04-15"
    assert chair.send("post", met_path, {"met_on": "2031-04-16"}).status_code == 409


def _file(data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = "peru-request.xlsx"
    return upload


def test_a_workbook_opens_the_request_or_fills_the_draft_open(cast, peru_api):
    person = cast["focal_point_peru"]
    workbook = export_xlsx(filled_draft(person))
    ExtensionRequest.objects.all().delete()  # test set-up: a state with no request yet
    path = f"{BASE}/imports"
    opened = peru_api.client.post(
        path, {"state": "PER", "file": _file(workbook)}, **peru_api.headers
    )
    assert opened.status_code == 201, opened.content
    request = ExtensionRequest.objects.get()
    assert opened["Location"] == f"{BASE}/{request.pk}"
    assert opened.json()["milestones"] and opened["ETag"]
    filled = peru_api.client.post(
        path, {"state": "PER", "file": _file(workbook)}, **peru_api.headers
    )
    assert filled.status_code == 200 and filled["Location"] == opened["Location"]
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    wb["milestones"]["D4"] = "lots"
    out = io.BytesIO()
    wb.save(out)
    refused = peru_api.client.post(
        path, {"state": "PER", "file": _file(out.getvalue())}, **peru_api.headers
    )
    assert refused.status_code == 422
    assert refused.json()["fields"] == {
        "file": ["sheet “milestones”, row 4, column D (area_m2): Enter a number."]
    }
