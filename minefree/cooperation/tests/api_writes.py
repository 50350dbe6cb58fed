"""The cooperation API's writes in the allow/deny matrix (``api/tests/writes.py``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from minefree.api.tests.writes import COMMITTEE, JAPAN, PERU, ApiWrite, Call, etag
from minefree.assistance.models import Need, Offer, Partnership
from minefree.casework.models import (
    BilateralMeeting,
    FollowUpAction,
    IndividualisedApproachCase,
    NationalPlatform,
    PlatformMeeting,
)
from minefree.cooperation.tests import api_world as world
from minefree.funding.models import Flow
from minefree.registry.models import Actor

NEED = {
    "pillar": "survey_clearance",
    "assistance_type": "equipment",
    "title": "Two mine detection dogs with handlers",
    "year_from": 2026,
    "year_to": 2027,
}
OFFER = {
    "title": "Technical survey training",
    "assistance_types": ["training"],
    "pillars": ["survey_clearance"],
    "year_from": 2026,
    "year_to": 2028,
}


def _need(cast: dict[str, Any]) -> dict[str, Any]:
    need = Need.objects.create(state=Actor.objects.get(iso3="PER"), **NEED)
    return {"need": need, "etag": etag(f"/api/cooperation/needs/{need.pk}", cast["isu_staff"])}


def _offer(cast: dict[str, Any]) -> dict[str, Any]:
    offer = Offer.objects.create(provider=Actor.objects.get(iso3="JPN"), **OFFER)
    return {"offer": offer, "etag": etag(f"/api/cooperation/offers/{offer.pk}", cast["isu_staff"])}


WRITES = [
    ApiWrite(
        "record a need",
        ("POST", "/api/cooperation/needs"),
        PERU,
        lambda ctx: Call("POST", "/api/cooperation/needs", NEED | {"state": "PER"}),
        lambda ctx: Need.objects.filter(title=NEED["title"]).exists(),
    ),
    ApiWrite(
        "change a need",
        ("PUT", "/api/cooperation/needs/{need_id}"),
        PERU,
        lambda ctx: Call(
            "PUT",
            f"/api/cooperation/needs/{ctx['need'].pk}",
            NEED | {"title": "Four dogs"},
            {"If-Match": ctx["etag"]},
        ),
        lambda ctx: Need.objects.get(pk=ctx["need"].pk).title == "Four dogs",
        _need,
    ),
    ApiWrite(
        "record an offer",
        ("POST", "/api/cooperation/offers"),
        JAPAN,
        lambda ctx: Call("POST", "/api/cooperation/offers", OFFER | {"provider": "JPN"}),
        lambda ctx: Offer.objects.filter(title=OFFER["title"]).exists(),
    ),
    ApiWrite(
        "change an offer",
        ("PUT", "/api/cooperation/offers/{offer_id}"),
        JAPAN,
        lambda ctx: Call(
            "PUT",
            f"/api/cooperation/offers/{ctx['offer'].pk}",
            OFFER | {"title": "Non-technical survey training"},
            {"If-Match": ctx["etag"]},
        ),
        lambda ctx: Offer.objects.get(pk=ctx["offer"].pk).title.startswith("Non-technical"),
        _offer,
    ),
]


# --- partnerships and money (api_funding) ------------------------------------------------------

FLOW = {
    "donor": "JPN",
    "recipient": "PER",
    "status": "pledge",
    "year": 2025,
    "amount": "250000.00",
    "currency": "USD",
}


def _need_and_offer(cast: dict[str, Any]) -> dict[str, Any]:
    return {"need": world.need(), "offer": world.offer()}


def _pledge(cast: dict[str, Any]) -> dict[str, Any]:
    return {"flow": world.pledge()}


def _followed(ctx: dict[str, Any], status: str) -> bool:
    return Flow.objects.filter(follows=ctx["flow"], status=status).exists()


WRITES += [
    ApiWrite(
        "confirm a partnership",
        ("POST", "/api/cooperation/partnerships"),
        COMMITTEE,
        lambda ctx: Call(
            "POST",
            "/api/cooperation/partnerships",
            {"need_id": ctx["need"].pk, "offer_id": ctx["offer"].pk},
        ),
        lambda ctx: Partnership.objects.filter(need=ctx["need"], offer=ctx["offer"]).exists(),
        _need_and_offer,
    ),
    ApiWrite(
        "record a flow",
        ("POST", "/api/cooperation/flows"),
        JAPAN,
        lambda ctx: Call("POST", "/api/cooperation/flows", FLOW),
        lambda ctx: Flow.objects.filter(amount=Decimal(FLOW["amount"])).exists(),
    ),
    ApiWrite(
        "carry a pledge forward",
        ("POST", "/api/cooperation/flows/{flow_id}/advance"),
        JAPAN,
        lambda ctx: Call(
            "POST", f"/api/cooperation/flows/{ctx['flow'].pk}/advance", {"status": "commitment"}
        ),
        lambda ctx: _followed(ctx, "commitment"),
        _pledge,
    ),
    ApiWrite(
        "split a pledge",
        ("POST", "/api/cooperation/flows/{flow_id}/tranches"),
        JAPAN,
        lambda ctx: Call(
            "POST", f"/api/cooperation/flows/{ctx['flow'].pk}/tranches", {"years": [2025, 2026]}
        ),
        lambda ctx: Flow.objects.filter(tranche_of=ctx["flow"]).count() == 2,
        _pledge,
    ),
    ApiWrite(
        "record a pledge at a case's meeting",
        ("POST", "/api/cooperation/cases/{case_id}/pledges"),
        COMMITTEE,
        lambda ctx: Call(
            "POST",
            f"/api/cooperation/cases/{ctx['case'].pk}/pledges",
            {
                "donor": "JPN",
                "assistance_type": "financial",
                "amount": "400000",
                "year": 2025,
                "pillar": "survey_clearance",
            },
        ),
        lambda ctx: Flow.objects.filter(case=ctx["case"], status="pledge").exists(),
        lambda cast: {"case": world.held_case()},
    ),
]


# --- cases, actions, platforms, bilateral meetings (api_casework) -----------------------------


def _case_is(status: str) -> Any:
    return lambda ctx: IndividualisedApproachCase.objects.get(pk=ctx["case"].pk).status == status


def _step(step: str, body: dict[str, Any] | None = None) -> Any:
    return lambda ctx: Call(
        "POST",
        f"/api/cooperation/cases/{ctx['case'].pk}/{step}",
        body if body is not None else {},
        {"If-Match": ctx["etag"]},
    )


def _with_action(cast: dict[str, Any]) -> dict[str, Any]:
    return {"action": world.action(world.held_case(), owner="JPN")}


def _settled(status: str) -> Any:
    return lambda ctx: FollowUpAction.objects.get(pk=ctx["action"].pk).status == status


def _platform(cast: dict[str, Any]) -> dict[str, Any]:
    world.platform()
    return {"etag": etag("/api/cooperation/platforms/PER", cast["isu_staff"])}


WRITES += [
    ApiWrite(
        "open a case",
        ("POST", "/api/cooperation/cases"),
        PERU | COMMITTEE,
        lambda ctx: Call(
            "POST",
            "/api/cooperation/cases",
            {"state": "PER", "requested_on": "2024-03-01", "summary": "Clearance support."},
        ),
        lambda ctx: IndividualisedApproachCase.objects.filter(
            summary="Clearance support."
        ).exists(),
    ),
    ApiWrite(
        "schedule a case's meeting",
        ("POST", "/api/cooperation/cases/{case_id}/schedule"),
        COMMITTEE,
        _step("schedule", {"on": "2024-06-18", "setting": "Geneva"}),
        _case_is("scheduled"),
        world.with_case(world.requested_case),
    ),
    ApiWrite(
        "record a case's meeting",
        ("POST", "/api/cooperation/cases/{case_id}/meeting"),
        COMMITTEE,
        _step(
            "meeting",
            {"held_on": "2024-06-18", "setting": "Geneva", "participants": ["PER", "JPN"]},
        ),
        _case_is("held"),
        world.with_case(world.scheduled_case),
    ),
    ApiWrite(
        "follow a case up",
        ("POST", "/api/cooperation/cases/{case_id}/follow-up"),
        COMMITTEE,
        _step("follow-up"),
        _case_is("follow_up"),
        world.with_case(world.held_case),
    ),
    ApiWrite(
        "close a case",
        ("POST", "/api/cooperation/cases/{case_id}/close"),
        COMMITTEE,
        _step("close", {"outcome": "Clearance funded.", "closed_on": "2024-12-01"}),
        _case_is("closed"),
        world.with_case(world.follow_up_case),
    ),
    ApiWrite(
        "add a follow-up action to a case",
        ("POST", "/api/cooperation/cases/{case_id}/actions"),
        COMMITTEE,
        lambda ctx: Call(
            "POST",
            f"/api/cooperation/cases/{ctx['case'].pk}/actions",
            {"description": "Share the survey", "owner": "PER", "due_on": "2024-09-30"},
        ),
        lambda ctx: FollowUpAction.objects.filter(case=ctx["case"]).exists(),
        lambda cast: {"case": world.held_case()},
    ),
    ApiWrite(
        "add a follow-up action to a bilateral meeting",
        ("POST", "/api/cooperation/bilateral-meetings/{meeting_id}/actions"),
        COMMITTEE,
        lambda ctx: Call(
            "POST",
            f"/api/cooperation/bilateral-meetings/{ctx['meeting'].pk}/actions",
            {"description": "Draft terms of reference", "owner": "PER", "due_on": "2024-09-30"},
        ),
        lambda ctx: FollowUpAction.objects.filter(bilateral_meeting=ctx["meeting"]).exists(),
        lambda cast: {"meeting": world.bilateral_meeting()},
    ),
    ApiWrite(
        "mark a follow-up action done",
        ("POST", "/api/cooperation/actions/{action_id}/done"),
        COMMITTEE | {"donor_japan"},  # the committee, and the action's owner
        lambda ctx: Call("POST", f"/api/cooperation/actions/{ctx['action'].pk}/done", {}),
        _settled("done"),
        _with_action,
    ),
    ApiWrite(
        "drop a follow-up action",
        ("POST", "/api/cooperation/actions/{action_id}/drop"),
        COMMITTEE | {"donor_japan"},
        lambda ctx: Call("POST", f"/api/cooperation/actions/{ctx['action'].pk}/drop", {}),
        _settled("dropped"),
        _with_action,
    ),
    ApiWrite(
        "change a national platform",
        ("PUT", "/api/cooperation/platforms/{iso3}"),
        PERU,
        lambda ctx: Call(
            "PUT",
            "/api/cooperation/platforms/PER",
            {"convening_authority": "PER", "terms_of_reference": "Meets twice a year."},
            {"If-Match": ctx["etag"]},
        ),
        lambda ctx: (
            NationalPlatform.objects.get(state__iso3="PER").terms_of_reference
            == "Meets twice a year."
        ),
        _platform,
    ),
    ApiWrite(
        "record a platform meeting",
        ("POST", "/api/cooperation/platforms/{iso3}/meetings"),
        PERU,
        lambda ctx: Call(
            "POST",
            "/api/cooperation/platforms/PER/meetings",
            {"held_on": "2024-05-02", "participants": ["PER", "JPN"], "progress": "On track."},
        ),
        lambda ctx: PlatformMeeting.objects.filter(progress="On track.").exists(),
        _platform,
    ),
    ApiWrite(
        "record a bilateral meeting",
        ("POST", "/api/cooperation/bilateral-meetings"),
        COMMITTEE,
        lambda ctx: Call(
            "POST",
            "/api/cooperation/bilateral-meetings",
            {"counterpart": "PER", "held_on": "2024-06-19", "topics": ["form_j"]},
        ),
        lambda ctx: BilateralMeeting.objects.filter(topics=["form_j"]).exists(),
    ),
]
