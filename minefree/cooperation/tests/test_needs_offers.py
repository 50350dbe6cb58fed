"""Needs, offers and partnerships: who may write them, what input is refused, what is audited."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need, Offer, Partnership
from minefree.assistance.services import (
    NeedInput,
    OfferInput,
    need_save,
    offer_save,
    partnership_confirm,
)
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Visibility
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

EVERYONE = [
    "anonymous",
    "no_role",
    "focal_point_peru",
    "delegate_peru",
    "focal_point_colombia",
    "donor_japan",
    "committee_chair",
    "isu_staff",
    "administrator",
]
NEED = NeedInput(
    pillar="survey_clearance",
    assistance_type="expertise",
    title="Two advisers on non-technical survey",
    year_from=2026,
    year_to=2027,
    quantity="2 advisers",
    languages=["ES", "en"],
)
OFFER = OfferInput(
    title="Support to humanitarian demining in the Americas",
    assistance_types=["financial", "expertise"],
    pillars=["survey_clearance"],
    year_from=2025,
    year_to=2028,
    priority_states=["per"],
    priority_regions=["americas"],
    languages=["es"],
    amount_min_usd=Decimal(100_000),
    amount_max_usd=Decimal(5_000_000),
    channels=["bilateral"],
)


@pytest.fixture
def cast() -> dict[str, Any]:
    users = make_cast()
    users["anonymous"] = AnonymousUser()
    return users


def actor(code: str) -> Actor:
    return Actor.objects.get(iso3=code)


def audits(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- needs ----------------------------------------------------------------------------------

NEED_WRITERS = {"focal_point_peru", "delegate_peru", "isu_staff", "administrator"}


@pytest.mark.parametrize("who", EVERYONE)
def test_only_peru_and_isu_staff_record_a_need_of_peru(cast: dict[str, Any], who: str) -> None:
    if who in NEED_WRITERS:
        need = need_save(actor=cast[who], state=actor("PER"), data=NEED)
        assert need.languages == ["es", "en"]
        event = AuditEvent.objects.get(action="need.created", object_id=str(need.pk))
        assert event.state_code == "PER"
    else:
        with pytest.raises(PermissionDenied):
            need_save(actor=cast[who], state=actor("PER"), data=NEED)
        assert not Need.objects.exists()
        assert audits("need.created") == 0


@pytest.mark.parametrize("who", EVERYONE)
def test_only_peru_and_isu_staff_change_a_need_of_peru(cast: dict[str, Any], who: str) -> None:
    need = need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    changed = replace(NEED, title="Three advisers")
    if who in NEED_WRITERS:
        need_save(actor=cast[who], state=actor("PER"), data=changed, need=need)
        need.refresh_from_db()
        assert need.title == "Three advisers"
        event = AuditEvent.objects.get(action="need.updated")
        assert event.before["title"] == NEED.title
        assert event.after["title"] == "Three advisers"
    else:
        with pytest.raises(PermissionDenied):
            need_save(actor=cast[who], state=actor("PER"), data=changed, need=need)
        need.refresh_from_db()
        assert need.title == NEED.title
        assert audits("need.updated") == 0


def test_a_need_does_not_move_to_another_state(cast: dict[str, Any]) -> None:
    need = need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    with pytest.raises(ValidationError):
        need_save(actor=SYSTEM, state=actor("COL"), data=NEED, need=need)


def test_an_amount_in_euros_is_stored_in_dollars_too() -> None:
    data = replace(NEED, assistance_type="financial", amount=Decimal(1_000_000), currency="eur")
    need = need_save(actor=SYSTEM, state=actor("PER"), data=replace(data, year_from=2024))
    assert need.currency == "EUR"
    assert need.amount_usd is not None
    assert need.amount_usd != need.amount
    assert Decimal(900_000) < need.amount_usd < Decimal(1_300_000)


def test_a_need_in_kind_has_no_amount() -> None:
    need = need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    assert need.amount is None and need.amount_usd is None and need.currency == ""


@pytest.mark.parametrize(
    "change",
    [
        {"year_from": 2027, "year_to": 2026},
        {"year_from": 1980},
        {"amount": Decimal(-1), "currency": "USD"},
        {"amount": Decimal(10), "currency": "EURO"},
        {"amount": Decimal(10), "currency": "ABC"},
        {"amount": Decimal(10), "currency": ""},
        {"currency": "USD"},
        {"pillar": "gardening"},
        {"assistance_type": "prayers"},
        {"visibility": "secret"},
        {"languages": ["spanish"]},
        {"title": ""},
    ],
)
def test_bad_needs_are_refused_with_a_message(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        need_save(actor=SYSTEM, state=actor("PER"), data=replace(NEED, **change))
    assert refused.value.messages
    assert not Need.objects.exists()


def test_an_organisation_has_no_needs() -> None:
    with pytest.raises(ValidationError):
        need_save(actor=SYSTEM, state=Actor.objects.get(slug="unmas"), data=NEED)


# --- offers ---------------------------------------------------------------------------------

OFFER_WRITERS = {"donor_japan", "isu_staff", "administrator"}


@pytest.mark.parametrize("who", EVERYONE)
def test_only_japan_and_isu_staff_record_an_offer_of_japan(cast: dict[str, Any], who: str) -> None:
    if who in OFFER_WRITERS:
        offer = offer_save(actor=cast[who], provider=actor("JPN"), data=OFFER)
        assert [a.iso3 for a in offer.priority_states.all()] == ["PER"]
        assert offer.priority_regions == ["Americas"]
        event = AuditEvent.objects.get(action="offer.created", object_id=str(offer.pk))
        assert event.after["priority_states"] == ["PER"]
        assert event.state_code == "JPN"
    else:
        with pytest.raises(PermissionDenied):
            offer_save(actor=cast[who], provider=actor("JPN"), data=OFFER)
        assert not Offer.objects.exists()
        assert audits("offer.created") == 0


@pytest.mark.parametrize("who", EVERYONE)
def test_only_japan_and_isu_staff_change_an_offer_of_japan(cast: dict[str, Any], who: str) -> None:
    offer = offer_save(actor=SYSTEM, provider=actor("JPN"), data=OFFER)
    changed = replace(OFFER, priority_states=["COL"], title="Wider")
    if who in OFFER_WRITERS:
        offer_save(actor=cast[who], provider=actor("JPN"), data=changed, offer=offer)
        offer.refresh_from_db()
        assert offer.title == "Wider"
        assert [a.iso3 for a in offer.priority_states.all()] == ["COL"]
        event = AuditEvent.objects.get(action="offer.updated")
        assert event.before["priority_states"] == ["PER"]
    else:
        with pytest.raises(PermissionDenied):
            offer_save(actor=cast[who], provider=actor("JPN"), data=changed, offer=offer)
        offer.refresh_from_db()
        assert offer.title == OFFER.title
        assert [a.iso3 for a in offer.priority_states.all()] == ["PER"]


def test_an_offer_in_kind_needs_no_amount() -> None:
    data = replace(OFFER, assistance_types=["equipment"], amount_min_usd=None, amount_max_usd=None)
    offer = offer_save(actor=SYSTEM, provider=Actor.objects.get(slug="unmas"), data=data)
    assert offer.amount_min_usd is None and offer.amount_max_usd is None


@pytest.mark.parametrize(
    "change",
    [
        {"assistance_types": []},
        {"pillars": []},
        {"assistance_types": ["magic"]},
        {"pillars": ["gardening"]},
        {"channels": ["carrier pigeon"]},
        {"year_from": 2029, "year_to": 2028},
        {"amount_min_usd": Decimal(-5)},
        {"amount_min_usd": Decimal(10), "amount_max_usd": Decimal(5)},
        {"priority_states": ["XXY"]},
        {"priority_regions": ["Atlantis"]},
        {"visibility": "secret"},
    ],
)
def test_bad_offers_are_refused_with_a_message(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        offer_save(actor=SYSTEM, provider=actor("JPN"), data=replace(OFFER, **change))
    assert refused.value.messages
    assert not Offer.objects.exists()


# --- partnerships ---------------------------------------------------------------------------

CONFIRMERS = {"committee_chair", "isu_staff", "administrator"}


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_committee_and_isu_staff_confirm_a_partnership(
    cast: dict[str, Any], who: str
) -> None:
    need = need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    offer = offer_save(actor=SYSTEM, provider=actor("JPN"), data=OFFER)
    if who in CONFIRMERS:
        partnership = partnership_confirm(actor=cast[who], need=need, offer=offer)
        assert partnership.score > 0
        components = {r["component"] for r in partnership.reasons}
        assert {"type", "pillar", "geography", "timing"} <= components
        assert sum(r["points"] for r in partnership.reasons) == pytest.approx(
            partnership.score, abs=0.02
        )
        event = AuditEvent.objects.get(action="partnership.confirmed")
        assert event.state_code == "PER"
    else:
        with pytest.raises(PermissionDenied):
            partnership_confirm(actor=cast[who], need=need, offer=offer)
        assert not Partnership.objects.exists()
        assert audits("partnership.confirmed") == 0


def test_a_pair_is_confirmed_once(cast: dict[str, Any]) -> None:
    need = need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    offer = offer_save(actor=SYSTEM, provider=actor("JPN"), data=OFFER)
    partnership_confirm(actor=cast["committee_chair"], need=need, offer=offer)
    with pytest.raises(ValidationError) as refused:
        partnership_confirm(actor=cast["committee_chair"], need=need, offer=offer)
    assert "already partners" in refused.value.messages[0]
    assert Partnership.objects.count() == 1


def test_a_partnership_is_as_confidential_as_its_narrower_side(cast: dict[str, Any]) -> None:
    need = need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    offer = offer_save(
        actor=SYSTEM, provider=actor("JPN"), data=replace(OFFER, visibility=Visibility.COMMITTEE)
    )
    partnership = partnership_confirm(actor=cast["committee_chair"], need=need, offer=offer)
    assert partnership.visibility == Visibility.COMMITTEE


def test_the_committee_cannot_confirm_what_it_may_not_read(cast: dict[str, Any]) -> None:
    need = need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    offer = offer_save(
        actor=SYSTEM, provider=actor("JPN"), data=replace(OFFER, visibility=Visibility.PRIVATE)
    )
    with pytest.raises(PermissionDenied):
        partnership_confirm(actor=cast["committee_chair"], need=need, offer=offer)
    assert partnership_confirm(actor=cast["isu_staff"], need=need, offer=offer).pk


def test_a_state_does_not_partner_with_itself(cast: dict[str, Any]) -> None:
    need = need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    offer = offer_save(actor=SYSTEM, provider=actor("PER"), data=OFFER)
    with pytest.raises(ValidationError):
        partnership_confirm(actor=cast["isu_staff"], need=need, offer=offer)
