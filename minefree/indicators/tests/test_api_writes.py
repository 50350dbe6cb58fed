"""The committee's documents and the plans' wording written over the API: a draft's
change needs the version its writer read (428 without, 412 when changed since), a
published version never changes, and refused writes change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from minefree.accounts.models import ApiToken
from minefree.accounts.tests.factories import bearer, make_cast
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Origin
from minefree.indicators import services
from minefree.indicators.models import DocumentVersion, Indicator, PlanAction
from minefree.registry.models import Meeting

pytestmark = pytest.mark.django_db
BASE = "/api/indicators"


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def _auth(user: Any) -> dict[str, str]:
    """The user's token (made once, marked used: later calls write nothing about it)."""
    if user is None:
        return {}
    if not hasattr(user, "_api_auth"):
        user._api_auth = bearer(user, "tests")
        ApiToken.objects.filter(user=user).update(last_used_at=timezone.now())
    return user._api_auth  # type: ignore[no-any-return]


def send(method: str, path: str, user: Any, body: Any = None, **headers: str) -> Any:
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    auth = _auth(user)
    call = getattr(Client(), method.lower())
    data = json.dumps(body) if body is not None else None
    return call(BASE + path, data=data, content_type="application/json", **auth, **extra)


def _open(cast: dict[str, Any], kind: str = "statement") -> Any:
    answer = send(
        "POST",
        "/documents",
        cast["committee_chair"],
        {"kind": kind, "meeting": "22MSP", "year": 2024},
    )
    assert answer.status_code == 201, answer.content[:400]
    return answer


def test_opening_a_document_drafts_it_and_opening_it_again_gives_the_same_draft(cast):
    answer = _open(cast)
    body = answer.json()
    assert answer["Location"] == f"{BASE}/documents/{body['document']}/versions/1"
    assert body["status"] == "draft" and body["number"] == 1 and body["live"]
    assert all(body["sections"][k] for k in ("opening", "mandate"))
    again = send(
        "POST",
        "/documents",
        cast["isu_staff"],
        {"kind": "statement", "meeting": "22MSP", "year": 2024},
    )
    assert again.status_code == 200 and again.json()["document"] == body["document"]
    assert DocumentVersion.objects.filter(document_id=body["document"]).count() == 1


def test_opening_refuses_an_unknown_meeting_or_kind(cast):
    staff = cast["isu_staff"]
    answer = send("POST", "/documents", staff, {"kind": "statement", "meeting": "99MSP"})
    assert answer.status_code == 422 and "meeting" in answer.json()["fields"]
    answer = send("POST", "/documents", staff, {"kind": "poem", "meeting": "22MSP"})
    assert answer.status_code == 422 and "kind" in answer.json()["fields"]


def test_a_draft_changes_only_with_the_version_its_writer_read(cast):
    body = _open(cast).json()
    path = f"/documents/{body['document']}/versions/1"
    chair = cast["committee_chair"]
    change = {"sections": {"closing": "Thank you."}, "change_note": "Closing"}
    missing = send("PATCH", path, chair, change)
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    stale = send("PATCH", path, chair, change, **{"If-Match": '"not-it"'})
    assert stale.status_code == 412 and stale.json()["code"] == "version_conflict"
    assert DocumentVersion.objects.get(document_id=body["document"]).sections["closing"] != (
        "Thank you."
    )
    read = send("GET", path, chair)
    done = send("PATCH", path, chair, change, **{"If-Match": read["ETag"]})
    assert done.status_code == 200, done.content[:400]
    assert done.json()["sections"]["closing"] == "Thank you."
    assert done.json()["change_note"] == "Closing"
    assert done["ETag"] != read["ETag"]
    # the old version is stale now
    again = send("PATCH", path, chair, change, **{"If-Match": read["ETag"]})
    assert again.status_code == 412
    unknown = send("PATCH", path, chair, {"sections": {"poem": "x"}}, **{"If-Match": done["ETag"]})
    assert unknown.status_code == 422 and "sections" in unknown.json()["fields"]


def test_publishing_freezes_the_version_and_it_never_changes_again(cast):
    body = _open(cast, "observations").json()
    path = f"/documents/{body['document']}/versions/1"
    staff = cast["isu_staff"]
    assert send("POST", path + "/publish", staff).status_code == 428
    etag = send("GET", path, staff)["ETag"]
    published = send("POST", path + "/publish", staff, **{"If-Match": etag})
    assert published.status_code == 200, published.content[:400]
    assert published.json()["status"] == "published" and not published.json()["live"]
    version = DocumentVersion.objects.get(document_id=body["document"])
    assert set(version.content) == {"en", "fr", "es"}
    assert send("GET", path, None).status_code == 200  # public now
    twice = send("POST", path + "/publish", staff, **{"If-Match": etag})
    assert twice.status_code == 409 and twice.json()["code"] == "already_done"
    changed = send("PATCH", path, staff, {"sections": {"conclusions": "Later."}})
    assert changed.status_code == 422
    assert send("POST", path + "/redraft", staff, {"section": "conclusions"}).status_code == 422
    assert DocumentVersion.objects.get(pk=version.pk).sections == version.sections


def test_a_refused_write_changes_nothing(cast):
    version = services.document_open(
        actor=SYSTEM, kind="statement", meeting=Meeting.objects.get(code="22MSP"), year=2024
    )
    path = f"/documents/{version.document_id}/versions/1"
    etag = services.version_etag(version)
    users = (cast["focal_point_peru"], cast["donor_japan"])
    for user in users:
        _auth(user)
    events = AuditEvent.objects.count()
    for user in users:
        answer = send("POST", path + "/publish", user, **{"If-Match": f'"{etag}"'})
        assert answer.status_code == 404  # a draft is its editors' only
        answer = send("POST", "/documents", user, {"kind": "observations", "meeting": "22MSP"})
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert (
        send("POST", "/documents", None, {"kind": "statement", "meeting": "22MSP"}).status_code
        == 401
    )
    assert AuditEvent.objects.count() == events
    assert DocumentVersion.objects.get(pk=version.pk).status == "draft"


def test_isu_staff_correct_the_wording_and_official_wording_needs_its_source(cast):
    action = PlanAction.objects.select_related("plan").order_by("plan__first_year", "number")[0]
    path = f"/plans/{action.plan.code}/actions/{action.number}"
    chair = cast["committee_chair"]
    refused = send("PATCH", path, chair, {"text_fr": "Autre"})
    assert refused.status_code == 403
    assert PlanAction.objects.get(pk=action.pk).text_fr == action.text_fr
    staff = cast["isu_staff"]
    unsourced = send("PATCH", path, staff, {"wording_status": "official"})
    if action.source_id is None:
        assert unsourced.status_code == 422
    sourced = send(
        "PATCH",
        path,
        staff,
        {
            "wording_status": "official",
            "source_url": "https://example.org/plan.pdf",
            "source_title": "The plan",
        },
    )
    assert sourced.status_code == 200, sourced.content[:400]
    assert sourced.json()["wording_status"] == "official"
    stored = PlanAction.objects.get(pk=action.pk)
    assert stored.origin == Origin.ENTERED and stored.source is not None
    assert send("PATCH", f"/plans/{action.plan.code}/actions/999", staff, {}).status_code == 404

    item = Indicator.objects.order_by("code")[0]
    answer = send("PATCH", f"/{item.code}", staff, {"text_en": "  "})
    assert answer.status_code == 422 and "text_en" in answer.json()["fields"]
    answer = send("PATCH", f"/{item.code}", staff, {"notes": "Checked."})
    assert answer.status_code == 200 and answer.json()["notes"] == "Checked."
    assert answer.json()["values"]  # the indicator as GET gives it
    assert send("PATCH", "/no-such-indicator", staff, {"notes": "x"}).status_code == 404
