"""The cooperation API's writes in the allow/deny matrix (``api/tests/writes.py``)."""

from __future__ import annotations

from typing import Any

from minefree.api.tests.writes import JAPAN, PERU, ApiWrite, Call, etag
from minefree.assistance.models import Need, Offer
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
