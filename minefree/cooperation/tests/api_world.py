"""What the cooperation API's write tests start from: records made through the services (as
the console would), so each is in the state its pages would have left it, and a client
calling with a personal token as another system would."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client

from minefree.accounts.tests.factories import bearer
from minefree.api.tests.writes import etag
from minefree.assistance.models import Need, Offer
from minefree.casework import cases, platforms
from minefree.casework.models import (
    BilateralMeeting,
    FollowUpAction,
    IndividualisedApproachCase,
    NationalPlatform,
)
from minefree.core.audit import SYSTEM
from minefree.funding import flows
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.registry.models import Actor, Committee

REQUESTED_ON = dt.date(2024, 3, 1)
MEETING_DAY = dt.date(2024, 6, 18)


def actor(code: str) -> Actor:
    return Actor.objects.get(iso3=code)


def need(visibility: str = "public") -> Need:
    return Need.objects.create(
        state=actor("PER"),
        pillar="survey_clearance",
        assistance_type="financial",
        title="Clearance of the Cordillera del Cóndor",
        year_from=2025,
        year_to=2026,
        visibility=visibility,
    )


def offer() -> Offer:
    return Offer.objects.create(
        provider=actor("JPN"),
        title="Demining support",
        assistance_types=["financial"],
        pillars=["survey_clearance"],
        year_from=2025,
        year_to=2027,
    )


def pledge(amount: int = 900_000, year: int = 2025) -> Flow:
    """Japan's pledge to Peru, as Japan states it."""
    return flows.flow_record(
        actor=SYSTEM,
        donor=actor("JPN"),
        recipient=actor("PER"),
        status=FlowStatus.PLEDGE,
        year=year,
        amount=amount,
        currency="USD",
        reported_by=ReportedBy.DONOR,
    )


def requested_case(visibility: str = "public") -> IndividualisedApproachCase:
    return cases.case_request(
        actor=SYSTEM,
        state=actor("PER"),
        requested_on=REQUESTED_ON,
        summary="Support to finish clearance in the Cordillera del Cóndor.",
        pillars=["survey_clearance"],
        visibility=visibility,
    )


def scheduled_case(visibility: str = "public") -> IndividualisedApproachCase:
    case = requested_case(visibility)
    cases.case_schedule(actor=SYSTEM, case=case, on=MEETING_DAY, setting="Geneva")
    case.refresh_from_db()
    return case


def held_case(visibility: str = "public") -> IndividualisedApproachCase:
    case = scheduled_case(visibility)
    cases.case_meeting_record(
        actor=SYSTEM,
        case=case,
        held_on=MEETING_DAY,
        setting="Geneva",
        in_margins_of=None,
        participants=[actor("PER"), actor("JPN")],
        notes="Peru presented its remaining areas.",
        visibility="committee",
    )
    case.refresh_from_db()
    return case


def follow_up_case() -> IndividualisedApproachCase:
    return cases.case_follow_up(actor=SYSTEM, case=held_case())


def action(case: IndividualisedApproachCase, owner: str = "JPN") -> FollowUpAction:
    return cases.action_add(
        actor=SYSTEM,
        case=case,
        description="Send the survey report",
        owner=actor(owner),
        due_on=dt.date(2024, 9, 30),
    )


def platform() -> NationalPlatform:
    return platforms.platform_save(
        actor=SYSTEM,
        state=actor("PER"),
        convening_authority=actor("PER"),
        established_on=dt.date(2023, 3, 1),
        members=[actor("JPN")],
        terms_of_reference="Meets once a year.",
    )


def bilateral_meeting() -> BilateralMeeting:
    return platforms.bilateral_meeting_record(
        actor=SYSTEM,
        committee=Committee.objects.get(code="cooperation_assistance"),
        counterpart=actor("PER"),
        held_on=MEETING_DAY,
        topics=["national_platform"],
        notes="Peru will consider a platform.",
    )


def with_case(make: Any) -> Any:
    """A matrix set-up: a case in some status, and its version as staff read it."""

    def setup(cast: dict[str, Any]) -> dict[str, Any]:
        case = make()
        return {"case": case, "etag": etag(f"/api/cooperation/cases/{case.pk}", cast["isu_staff"])}

    return setup


class TokenClient:
    """A system calling the API with one of its user's personal tokens, as JSON."""

    def __init__(self, user: Any, name: str = "grants-system") -> None:
        self.client = Client()
        self.auth = bearer(user, name)

    def get(self, path: str) -> Any:
        return self.client.get(path, **self.auth)

    def send(self, method: str, path: str, body: Any = None, version: str | None = None) -> Any:
        extra = {"HTTP_IF_MATCH": version} if version is not None else {}
        call = getattr(self.client, method.lower())
        data = json.dumps(body if body is not None else {})
        return call(path, data, content_type="application/json", **self.auth, **extra)

    def post(self, path: str, body: Any = None, version: str | None = None) -> Any:
        return self.send("POST", path, body, version)

    def put(self, path: str, body: Any = None, version: str | None = None) -> Any:
        return self.send("PUT", path, body, version)


def created_body(response: Any, client: TokenClient) -> dict[str, Any]:
    """The body of a 201 whose Location reads back the same record."""
    assert response.status_code == 201, response.content
    again = client.get(response["Location"])
    assert again.status_code == 200, (response["Location"], again.content)
    body: dict[str, Any] = response.json()
    return body
