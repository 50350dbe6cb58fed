"""Partnerships and money over the API, as a donor's grants system and the committee use it:
the services and rules of the pages, 201 with a GET-able Location, the token named in the
audit log, 409 for money already carried forward, 422 naming the fields refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Partnership
from minefree.cooperation.tests import api_world as world
from minefree.cooperation.tests.api_world import TokenClient, created_body
from minefree.core.models import AuditEvent
from minefree.funding.models import Flow

pytestmark = pytest.mark.django_db

PLEDGE = {
    "donor": "JPN",
    "recipient": "PER",
    "status": "pledge",
    "year": 2025,
    "amount": "900000.00",
    "currency": "USD",
    "pillar": "survey_clearance",
    "description": "Grant 2025-PER-17",
}


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


@pytest.fixture
def japan(cast: dict[str, Any]) -> TokenClient:
    return TokenClient(cast["donor_japan"])


def test_pledge_commitment_payment_through_the_api_only(japan: TokenClient) -> None:
    pledge = created_body(japan.post("/api/cooperation/flows", PLEDGE), japan)
    assert pledge["status"] == "pledge" and pledge["amount_usd"] == "900000.00"
    url = f"/api/cooperation/flows/{pledge['id']}"
    assert japan.get(url).json()["left_to_carry"] == "900000.00"

    commitment = created_body(
        japan.post(f"{url}/advance", {"status": "commitment", "amount": "600000"}), japan
    )
    assert commitment["follows"] == pledge["id"] and commitment["amount"] == "600000.00"
    assert japan.get(url).json()["left_to_carry"] == "300000.00"

    committed = f"/api/cooperation/flows/{commitment['id']}"
    payment = created_body(japan.post(f"{committed}/advance", {"status": "paid"}), japan)
    assert payment["follows"] == commitment["id"] and payment["amount"] == "600000.00"
    detail = japan.get(committed).json()
    assert detail["followed_by"] == [payment["id"]] and detail["left_to_carry"] is None

    statuses = Flow.objects.filter(description="Grant 2025-PER-17").values_list("status", flat=True)
    assert sorted(statuses) == ["commitment", "paid", "pledge"]
    events = AuditEvent.objects.filter(action__in=["flow.recorded", "flow.advanced"])
    assert events.count() == 3 and set(events.values_list("api_token", flat=True)) == {
        "grants-system"
    }


def test_a_payment_recorded_against_a_commitment_counts_once(japan: TokenClient) -> None:
    """What a grants system does when its payment run goes out: record each payment
    against the commitment it honours, and learn when nothing remains to pay."""
    commitment = created_body(
        japan.post("/api/cooperation/flows", PLEDGE | {"status": "commitment"}), japan
    )
    url = f"/api/cooperation/flows/{commitment['id']}/advance"
    first = japan.post(url, {"status": "paid", "amount": "500000", "year": 2025})
    assert first.status_code == 201
    too_much = japan.post(url, {"status": "paid", "amount": "500000"})
    assert too_much.status_code == 422 and "400000.00" in too_much.json()["detail"]
    rest = japan.post(url, {"status": "paid"})  # all that remains
    assert rest.status_code == 201 and rest.json()["amount"] == "400000.00"
    again = japan.post(url, {"status": "paid"})
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    paid = Flow.objects.filter(follows_id=commitment["id"]).values_list("amount", flat=True)
    assert sum(paid) == Decimal("900000.00")


def test_bad_values_are_refused_with_their_fields(japan: TokenClient) -> None:
    not_a_number = japan.post("/api/cooperation/flows", PLEDGE | {"amount": "a lot"})
    assert not_a_number.status_code == 422 and "amount" in not_a_number.json()["fields"]
    unknown = japan.post("/api/cooperation/flows", PLEDGE | {"status": "refunded"})
    assert unknown.status_code == 422 and "status" in unknown.json()["fields"]
    assert japan.post("/api/cooperation/flows", PLEDGE | {"year": 1890}).status_code == 422
    backwards = japan.post(
        f"/api/cooperation/flows/{world.pledge().pk}/advance", {"status": "pledge"}
    )
    assert backwards.status_code == 422 and backwards.json()["code"] == "invalid"
    assert not Flow.objects.filter(description=PLEDGE["description"]).exists()


def test_a_donor_records_only_its_own_money(cast: dict[str, Any], japan: TokenClient) -> None:
    other = japan.post("/api/cooperation/flows", PLEDGE | {"donor": "NOR"})
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    peru = TokenClient(cast["focal_point_peru"])
    as_donor = peru.post("/api/cooperation/flows", PLEDGE)
    assert as_donor.status_code == 403
    received = peru.post("/api/cooperation/flows", PLEDGE | {"reported_by": "recipient"})
    assert received.status_code == 201 and received.json()["reported_by"] == "recipient"
    pledge = world.pledge()
    refused = peru.post(f"/api/cooperation/flows/{pledge.pk}/advance", {"status": "paid"})
    assert refused.status_code == 403 and not Flow.objects.filter(follows=pledge).exists()


def test_a_flow_names_only_a_need_and_partnership_of_its_parties(japan: TokenClient) -> None:
    need, offer = world.need(), world.offer()
    partnership = Partnership.objects.create(need=need, offer=offer, score=1.0, reasons=[])
    linked = japan.post(
        "/api/cooperation/flows",
        PLEDGE | {"need_id": need.pk, "partnership_id": partnership.pk},
    )
    assert linked.status_code == 201
    assert (linked.json()["need_id"], linked.json()["partnership_id"]) == (need.pk, partnership.pk)
    elsewhere = japan.post(
        "/api/cooperation/flows", PLEDGE | {"recipient": "COL", "need_id": need.pk}
    )
    assert elsewhere.status_code == 422
    hidden = world.need(visibility="private")
    assert japan.post("/api/cooperation/flows", PLEDGE | {"need_id": hidden.pk}).status_code == 404


def test_a_pledge_splits_into_tranches_once(japan: TokenClient) -> None:
    pledge = world.pledge(amount=900_000)
    url = f"/api/cooperation/flows/{pledge.pk}/tranches"
    split = japan.post(url, {"years": [2025, 2026, 2027]})
    assert split.status_code == 201 and split["Location"] == url
    assert [t["amount"] for t in japan.get(url).json()] == ["300000.00"] * 3
    assert japan.get(f"/api/cooperation/flows/{pledge.pk}").json()["left_to_carry"] is None
    again = japan.post(url, {"years": [2028, 2029]})
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    tranche = split.json()[0]["id"]
    refused = japan.post(f"/api/cooperation/flows/{tranche}/tranches", {"years": [2025, 2026]})
    assert refused.status_code == 422
    wrong = japan.post(url, {"years": "2025-2027"})
    assert wrong.status_code == 422 and "years" in wrong.json()["fields"]
    assert Flow.objects.filter(tranche_of=pledge).count() == 3


def test_the_committee_confirms_a_partnership_once(cast: dict[str, Any]) -> None:
    chair = TokenClient(cast["committee_chair"], name="workspace")
    need, offer = world.need(), world.offer()
    body = {"need_id": need.pk, "offer_id": offer.pk}
    partnership = created_body(chair.post("/api/cooperation/partnerships", body), chair)
    assert (partnership["state"], partnership["provider"]) == ("PER", "JPN")
    event = AuditEvent.objects.get(action="partnership.confirmed")
    assert event.api_token == "workspace"
    again = chair.post("/api/cooperation/partnerships", body)
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    wrong = chair.post("/api/cooperation/partnerships", {"need_id": "first", "offer_id": offer.pk})
    assert wrong.status_code == 422 and "need_id" in wrong.json()["fields"]
    japan = TokenClient(cast["donor_japan"])
    assert japan.post("/api/cooperation/partnerships", body).status_code == 403
    assert Partnership.objects.count() == 1


def test_pledges_at_a_case_s_meeting(cast: dict[str, Any]) -> None:
    chair = TokenClient(cast["committee_chair"])
    body = {
        "donor": "JPN",
        "assistance_type": "equipment",
        "amount": "0",
        "year": 2025,
        "pillar": "survey_clearance",
        "description": "2 mine detection dogs with handlers, 12 months",
    }
    early = world.requested_case()
    refused = chair.post(f"/api/cooperation/cases/{early.pk}/pledges", body)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"
    case = world.held_case()
    pledge = created_body(chair.post(f"/api/cooperation/cases/{case.pk}/pledges", body), chair)
    assert (pledge["case_id"], pledge["currency"], pledge["amount"]) == (case.pk, "XXX", "0.00")
    assert AuditEvent.objects.filter(action="case.pledged", object_id=str(case.pk)).exists()
    bad = chair.post(f"/api/cooperation/cases/{case.pk}/pledges", body | {"pillar": "moon"})
    assert bad.status_code == 422 and "pillar" in bad.json()["fields"]
    japan = TokenClient(cast["donor_japan"])
    assert japan.post(f"/api/cooperation/cases/{case.pk}/pledges", body).status_code == 403
    hidden = world.held_case(visibility="private")
    assert chair.post(f"/api/cooperation/cases/{hidden.pk}/pledges", body).status_code == 404
