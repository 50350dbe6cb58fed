"""The cooperation API's writes in the allow/deny matrix (``api/tests/writes.py``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from minefree.api.tests.writes import COMMITTEE, JAPAN, PERU, ApiWrite, Call, etag
from minefree.assistance.models import Need, Offer, Partnership
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
