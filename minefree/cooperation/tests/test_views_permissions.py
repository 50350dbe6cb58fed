"""Every cooperation write page × every role: the allowed change data, the others change nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from minefree.accounts.tests.factories import CAST, make_cast
from minefree.assistance.models import Need, Offer, Partnership
from minefree.casework.models import BilateralMeeting, NationalPlatform, PlatformMeeting
from minefree.cooperation.tests.form_data import NEED_FORM, OFFER_FORM
from minefree.core.models import AuditEvent
from minefree.funding.models import Flow
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

STAFF = {"isu_staff", "administrator"}


@dataclass
class Endpoint:
    name: str
    allowed: set[str]
    url: Callable[[dict[str, Any]], str]
    data: Callable[[dict[str, Any]], dict[str, Any]]
    changed: Callable[[dict[str, Any]], int]


def _world() -> dict[str, Any]:
    peru, japan = Actor.objects.get(iso3="PER"), Actor.objects.get(iso3="JPN")
    need = Need.objects.create(
        state=peru,
        pillar="survey_clearance",
        assistance_type="financial",
        title="Clearance of the Cordillera del Cóndor",
        amount=Decimal(2_000_000),
        currency="USD",
        amount_usd=Decimal(2_000_000),
        year_from=2025,
        year_to=2026,
    )
    offer = Offer.objects.create(
        provider=japan,
        title="Demining support",
        assistance_types=["financial"],
        pillars=["survey_clearance"],
        year_from=2025,
        year_to=2027,
    )
    second = Offer.objects.create(
        provider=japan,
        title="Second offer",
        assistance_types=["financial"],
        pillars=["survey_clearance"],
        year_from=2025,
        year_to=2027,
    )
    partnership = Partnership.objects.create(need=need, offer=offer, score=5.0, reasons=[])
    pledge = Flow.objects.create(
        donor=japan,
        recipient=peru,
        status="pledge",
        year=2025,
        amount=Decimal(500_000),
        currency="USD",
        amount_usd=Decimal(500_000),
        reported_by="donor",
        need=need,
        partnership=partnership,
    )
    platform = NationalPlatform.objects.create(state=Actor.objects.get(iso3="COL"))
    return {
        "platform": platform,
        "need": need,
        "offer": offer,
        "second": second,
        "partnership": partnership,
        "pledge": pledge,
    }


ENDPOINTS = [
    Endpoint(
        "need_new",
        {"focal_point_peru", "delegate_peru", *STAFF},
        lambda w: "/cooperation/needs/new/PER/",
        lambda w: NEED_FORM,
        lambda w: Need.objects.filter(title="Mine detection dogs").count(),
    ),
    Endpoint(
        "need_edit",
        {"focal_point_peru", "delegate_peru", *STAFF},
        lambda w: f"/cooperation/needs/{w['need'].pk}/edit/",
        lambda w: NEED_FORM,
        lambda w: Need.objects.filter(title="Mine detection dogs").count(),
    ),
    Endpoint(
        "offer_new",
        {"donor_japan", *STAFF},
        lambda w: "/cooperation/offers/new/JPN/",
        lambda w: OFFER_FORM,
        lambda w: Offer.objects.filter(title="Deminers' training").count(),
    ),
    Endpoint(
        "confirm",
        {"committee_chair", *STAFF},
        lambda w: f"/cooperation/needs/{w['need'].pk}/confirm/",
        lambda w: {"offer": w["second"].pk},
        lambda w: Partnership.objects.count(),
    ),
    Endpoint(
        "pledge",
        {"donor_japan", *STAFF},
        lambda w: f"/cooperation/partnerships/{w['partnership'].pk}/pledge/",
        lambda w: {
            "status": "pledge",
            "amount": "100000",
            "currency": "USD",
            "year": "2025",
            "visibility": "public",
        },
        lambda w: Flow.objects.count(),
    ),
    Endpoint(
        "advance",
        {"donor_japan", *STAFF},
        lambda w: f"/cooperation/flows/{w['pledge'].pk}/advance/",
        lambda w: {"status": "commitment"},
        lambda w: Flow.objects.filter(status="commitment").count(),
    ),
    Endpoint(
        "platform_save",
        {"focal_point_peru", "delegate_peru", *STAFF},
        lambda w: "/cooperation/platforms/PER/",
        lambda w: {
            "platform-convening_authority": "PER",
            "platform-members": "JPN, NOR",
            "platform-terms_of_reference": "Meets twice a year.",
            "platform-visibility": "public",
        },
        lambda w: NationalPlatform.objects.filter(state__iso3="PER").count(),
    ),
    Endpoint(
        "platform_meeting",
        {"focal_point_colombia", *STAFF},
        lambda w: "/cooperation/platforms/COL/",
        lambda w: {
            "meeting-held_on": "2024-05-02",
            "meeting-participants": "COL, NOR",
            "meeting-funding_gap_usd": "1500000",
            "meeting-visibility": "public",
        },
        lambda w: PlatformMeeting.objects.count(),
    ),
    Endpoint(
        "bilateral_meeting",
        {"committee_chair", *STAFF},
        lambda w: "/cooperation/bilateral-meetings/",
        lambda w: {
            "counterpart": "Angola",
            "held_on": "2024-06-19",
            "topics": ["national_platform", "form_j"],
            "other_topics": "mine risk education in schools",
            "notes": "Angola will consider a platform.",
            "visibility": "committee",
        },
        lambda w: BilateralMeeting.objects.count(),
    ),
]


def _state() -> list[Any]:
    """Every row of every cooperation table, and the audit log's length.

    Comparing whole tables catches a denied request that edits an existing record, which a
    row count would miss.
    """
    tables = [
        list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_app_config("cooperation").get_models()
    ]
    return [*tables, AuditEvent.objects.count()]


@pytest.mark.parametrize("who", sorted(CAST))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_cooperation_write_allowed_only_to_its_roles(endpoint: Endpoint, who: str) -> None:
    cast = make_cast()
    world = _world()
    client = Client()
    if cast[who] is not None:
        client.force_login(cast[who])
    before = endpoint.changed(world)
    state = _state()
    audits = AuditEvent.objects.count()
    response = client.post(endpoint.url(world), endpoint.data(world))
    after = endpoint.changed(world)
    if who in endpoint.allowed:
        assert response.status_code == 302, (who, response.content.decode()[:2000])
        assert after == before + 1, who
        assert AuditEvent.objects.count() > audits
    else:
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
        else:
            assert response.status_code in (403, 404), who
        assert _state() == state, who
