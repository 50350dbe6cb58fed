"""The individualised approach, follow-up actions, national platforms and bilateral meetings
over the API: the services and rules of the pages, 201 with a GET-able Location, steps and
changes that name the version they read (428 without, 412 when stale), 409 for a step
already taken, 422 naming the fields refused."""

from __future__ import annotations

from typing import Any

import pytest

from minefree.accounts.tests.factories import make_cast
from minefree.casework.models import (
    CaseStatus,
    FollowUpAction,
    IndividualisedApproachCase,
    NationalPlatform,
    PlatformMeeting,
)
from minefree.cooperation.tests import api_world as world
from minefree.cooperation.tests.api_world import TokenClient, created_body
from minefree.core.models import AuditEvent

pytestmark = pytest.mark.django_db

REQUEST = {
    "state": "PER",
    "requested_on": "2024-03-01",
    "summary": "Support to finish clearance in the Cordillera del Cóndor.",
    "pillars": ["survey_clearance"],
}


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


@pytest.fixture
def chair(cast: dict[str, Any]) -> TokenClient:
    return TokenClient(cast["committee_chair"], name="workspace")


def test_a_state_opens_a_case_and_the_committee_runs_it_to_its_close(
    cast: dict[str, Any], chair: TokenClient
) -> None:
    peru = TokenClient(cast["focal_point_peru"], name="imsma")
    opened = peru.post("/api/cooperation/cases", REQUEST)
    case = created_body(opened, peru)
    url = f"/api/cooperation/cases/{case['id']}"
    assert opened["Location"] == url and opened["ETag"] == chair.get(url)["ETag"]
    assert AuditEvent.objects.get(action="case.requested").api_token == "imsma"

    version = chair.get(url)["ETag"]
    plan = {"on": "2024-06-18", "setting": "Geneva", "in_margins_of": "IM2024"}
    scheduled = chair.post(f"{url}/schedule", plan, version)
    assert scheduled.status_code == 200, scheduled.content
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["meetings"][0]["planned"] is True
    held = chair.post(
        f"{url}/meeting",
        {"held_on": "2024-06-18", "setting": "Geneva", "participants": ["PER", "JPN"]},
        scheduled["ETag"],
    )
    assert held.status_code == 200 and held.json()["status"] == "held"
    action = created_body(
        chair.post(
            f"{url}/actions",
            {"description": "Share the survey", "owner": "PER", "due_on": "2024-09-30"},
        ),
        chair,
    )
    followed = chair.post(f"{url}/follow-up", None, held["ETag"])
    assert followed.status_code == 200 and followed.json()["status"] == "follow_up"

    close = {"outcome": "Clearance funded.", "closed_on": "2024-12-01"}
    still_open = chair.post(f"{url}/close", close, followed["ETag"])
    assert still_open.status_code == 422 and still_open.json()["code"] == "invalid"
    done = peru.post(f"/api/cooperation/actions/{action['id']}/done", {"done_on": "2024-09-20"})
    assert done.status_code == 200 and done.json()["status"] == "done"  # the owner settles it
    closed = chair.post(f"{url}/close", close, followed["ETag"])  # an action leaves the case
    assert closed.status_code == 200 and closed.json()["outcome"] == "Clearance funded."
    actions = AuditEvent.objects.filter(
        object_type="casework.individualisedapproachcase", object_id=str(case["id"])
    )
    assert set(actions.values_list("action", flat=True)) == {
        "case.requested",
        "case.scheduled",
        "case.held",
        "case.followed_up",
        "case.closed",
    }
    tokens = set(actions.exclude(action="case.requested").values_list("api_token", flat=True))
    assert tokens == {"workspace"}


def test_a_step_needs_the_version_it_read_and_a_stale_one_changes_nothing(
    chair: TokenClient,
) -> None:
    case = world.scheduled_case()
    url = f"/api/cooperation/cases/{case.pk}"
    read = chair.get(url)["ETag"]
    move = {"on": "2024-06-20", "setting": "Geneva"}
    missing = chair.post(f"{url}/schedule", move)
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    moved = chair.post(f"{url}/schedule", move, read)
    assert moved.status_code == 200 and moved["ETag"] != read
    stale = chair.post(f"{url}/schedule", {"on": "2024-06-25", "setting": "Bern"}, read)
    assert stale.status_code == 412 and stale.json()["code"] == "version_conflict"
    assert stale["ETag"] == moved["ETag"] and stale.json()["version"] == moved["ETag"].strip('"')
    assert "committee_chair changed this record" in stale.json()["detail"]
    assert [m.held_on.isoformat() for m in case.meetings.all()] == ["2024-06-20"]


def test_a_step_already_taken_answers_409(chair: TokenClient) -> None:
    case = world.held_case()
    url = f"/api/cooperation/cases/{case.pk}"
    read = chair.get(url)["ETag"]
    assert chair.post(f"{url}/follow-up", None, read).status_code == 200
    again = chair.post(f"{url}/follow-up", None, read)  # a retry of the same request
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    current = chair.get(url)["ETag"]
    twice = chair.post(f"{url}/follow-up", None, current)
    assert twice.status_code == 409
    assert AuditEvent.objects.filter(action="case.followed_up").count() == 1


def test_bad_values_of_a_case_are_refused_with_their_fields(chair: TokenClient) -> None:
    before = IndividualisedApproachCase.objects.count()
    bad_date = chair.post("/api/cooperation/cases", REQUEST | {"requested_on": "1 March"})
    assert bad_date.status_code == 422 and "requested_on" in bad_date.json()["fields"]
    future = chair.post("/api/cooperation/cases", REQUEST | {"requested_on": "2999-01-01"})
    assert future.status_code == 422 and future.json()["code"] == "invalid"
    unknown = chair.post("/api/cooperation/cases", REQUEST | {"state": "XXX"})
    assert unknown.status_code == 404
    case = world.scheduled_case()
    url = f"/api/cooperation/cases/{case.pk}"
    version = chair.get(url)["ETag"]
    body = {"held_on": "2024-06-18", "setting": "Geneva", "participants": ["PER", "QQQ"]}
    who = chair.post(f"{url}/meeting", body, version)
    assert who.status_code == 422 and "participants" in who.json()["fields"]
    where = chair.post(
        f"{url}/schedule",
        {"on": "2024-06-18", "setting": "Geneva", "in_margins_of": "NOWHERE"},
        version,
    )
    assert where.status_code == 422 and "in_margins_of" in where.json()["fields"]
    no_outcome = chair.post(f"{url}/close", {"outcome": "Done."}, version)
    assert no_outcome.status_code == 422 and "closed_on" in no_outcome.json()["fields"]
    assert IndividualisedApproachCase.objects.get(pk=case.pk).status == CaseStatus.SCHEDULED
    assert IndividualisedApproachCase.objects.count() == before + 1  # the scheduled one


def test_only_the_committee_runs_a_case_and_a_hidden_one_is_not_found(
    cast: dict[str, Any],
) -> None:
    peru = TokenClient(cast["focal_point_peru"])
    colombia = TokenClient(cast["focal_point_colombia"])
    assert colombia.post("/api/cooperation/cases", REQUEST).status_code == 403
    case = world.requested_case()
    url = f"/api/cooperation/cases/{case.pk}"
    version = peru.get(url)["ETag"]
    plan = {"on": "2024-06-18", "setting": "Geneva"}
    refused = peru.post(f"{url}/schedule", plan, version)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    hidden = world.requested_case(visibility="private")
    assert colombia.post(f"/api/cooperation/cases/{hidden.pk}/schedule", plan, "x").status_code == (
        404
    )
    assert not case.meetings.exists()


def test_follow_up_actions_are_settled_once(cast: dict[str, Any], chair: TokenClient) -> None:
    action = world.action(world.held_case(), owner="JPN")
    url = f"/api/cooperation/actions/{action.pk}"
    assert chair.get(url).json()["status"] == "open"
    peru = TokenClient(cast["focal_point_peru"])
    refused = peru.post(f"{url}/done", {})
    assert refused.status_code == 403  # Peru does not own it
    dropped = TokenClient(cast["donor_japan"]).post(f"{url}/drop", {"dropped_on": "2024-07-01"})
    assert dropped.status_code == 200 and dropped.json()["status"] == "dropped"
    done = chair.post(f"{url}/done", {})
    assert done.status_code == 409 and done.json()["code"] == "already_done"
    later = chair.post(f"{url}/drop", {"dropped_on": "2999-01-01"})
    assert later.status_code == 409
    assert FollowUpAction.objects.get(pk=action.pk).status == "dropped"
    future = world.action(world.held_case())
    bad = chair.post(f"/api/cooperation/actions/{future.pk}/done", {"done_on": "soon"})
    assert bad.status_code == 422 and "done_on" in bad.json()["fields"]
    case = world.held_case()
    nobody = chair.post(
        f"/api/cooperation/cases/{case.pk}/actions",
        {"description": "Write", "owner": "QQQ", "due_on": "2024-09-30"},
    )
    assert nobody.status_code == 422 and "owner" in nobody.json()["fields"]


def test_a_platform_is_recorded_then_changed_from_the_version_read(cast: dict[str, Any]) -> None:
    peru = TokenClient(cast["focal_point_peru"], name="imsma")
    body = {
        "convening_authority": "peru-contraminas",
        "established_on": "2023-03-01",
        "members": ["JPN", "USA"],
        "terms_of_reference": "Meets once a year.",
    }
    recorded = peru.put("/api/cooperation/platforms/PER", body)
    platform = created_body(recorded, peru)
    assert recorded["Location"] == "/api/cooperation/platforms/PER"
    assert platform["members"] == ["JPN", "USA"] and recorded["ETag"]
    assert AuditEvent.objects.get(action="platform.created").api_token == "imsma"

    missing = peru.put("/api/cooperation/platforms/PER", body)
    assert missing.status_code == 428
    first = recorded["ETag"]
    changed = peru.put("/api/cooperation/platforms/PER", body | {"members": ["JPN"]}, first)
    assert changed.status_code == 200 and changed.json()["members"] == ["JPN"]
    assert changed["ETag"] != first  # a change of members alone is a new version
    stale = peru.put(
        "/api/cooperation/platforms/PER", body | {"terms_of_reference": "Twice."}, first
    )
    assert stale.status_code == 412 and stale["ETag"] == changed["ETag"]
    assert NationalPlatform.objects.get(state__iso3="PER").terms_of_reference == (
        "Meets once a year."
    )
    unknown = peru.put(
        "/api/cooperation/platforms/PER", body | {"members": ["QQQ"]}, changed["ETag"]
    )
    assert unknown.status_code == 422 and "members" in unknown.json()["fields"]
    colombia = TokenClient(cast["focal_point_colombia"])
    assert colombia.put("/api/cooperation/platforms/PER", body, changed["ETag"]).status_code == 403


def test_a_platform_recorded_meanwhile_is_not_overwritten(cast: dict[str, Any]) -> None:
    peru = TokenClient(cast["focal_point_peru"])
    staff = TokenClient(cast["isu_staff"])
    assert peru.get("/api/cooperation/platforms/PER").status_code == 404  # none yet
    assert staff.put("/api/cooperation/platforms/PER", {"terms_of_reference": "A"}).status_code == (
        201
    )
    second = peru.put("/api/cooperation/platforms/PER", {"terms_of_reference": "B"})
    assert second.status_code == 428  # it exists now: say which version you change


def test_platform_meetings(cast: dict[str, Any]) -> None:
    peru = TokenClient(cast["focal_point_peru"])
    body = {"held_on": "2024-05-02", "participants": ["PER", "JPN"], "funding_gap_usd": "1500000"}
    assert peru.post("/api/cooperation/platforms/PER/meetings", body).status_code == 404
    world.platform()
    meeting = created_body(peru.post("/api/cooperation/platforms/PER/meetings", body), peru)
    assert sorted(meeting["participants"]) == ["JPN", "PER"]
    assert meeting["funding_gap_usd"] == "1500000.00"
    negative = peru.post("/api/cooperation/platforms/PER/meetings", body | {"funding_gap_usd": "x"})
    assert negative.status_code == 422 and "funding_gap_usd" in negative.json()["fields"]
    japan = TokenClient(cast["donor_japan"])
    assert japan.post("/api/cooperation/platforms/PER/meetings", body).status_code == 403
    assert PlatformMeeting.objects.count() == 1


def test_bilateral_meetings_and_their_actions(cast: dict[str, Any], chair: TokenClient) -> None:
    body = {
        "counterpart": "AGO",
        "held_on": "2024-06-19",
        "topics": ["national_platform", "mine risk education in schools"],
        "notes": "Angola will consider a platform.",
    }
    meeting = created_body(chair.post("/api/cooperation/bilateral-meetings", body), chair)
    assert meeting["topic_codes"] == body["topics"] and meeting["visibility"] == "committee"
    url = f"/api/cooperation/bilateral-meetings/{meeting['id']}"
    action = created_body(
        chair.post(
            f"{url}/actions",
            {"description": "Draft terms of reference", "owner": "AGO", "due_on": "2024-09-30"},
        ),
        chair,
    )
    assert chair.get(url).json()["actions"][0]["id"] == action["id"]
    none = chair.post("/api/cooperation/bilateral-meetings", body | {"topics": []})
    assert none.status_code == 422
    missing = chair.post("/api/cooperation/bilateral-meetings", {"counterpart": "AGO"})
    assert missing.status_code == 422 and {"held_on", "topics"} <= set(missing.json()["fields"])
    peru = TokenClient(cast["focal_point_peru"])
    assert peru.post("/api/cooperation/bilateral-meetings", body).status_code == 403
    assert peru.get(url).status_code == 404  # confidential to the committee
