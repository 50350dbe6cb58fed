"""Cooperation endpoints beyond the lists: coverage, triangulation, published totals, a case."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need
from minefree.casework.models import IndividualisedApproachCase
from minefree.funding.models import Flow, PublishedTotal
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db


def flow(donor: str, recipient: str, usd: int, reported_by: str, **extra: Any) -> Flow:
    return Flow.objects.create(
        donor=Actor.objects.get(iso3=donor),
        recipient=Actor.objects.get(iso3=recipient),
        status=extra.pop("status", "paid"),
        year=extra.pop("year", 2023),
        amount=Decimal(usd),
        currency="USD",
        amount_usd=Decimal(usd),
        reported_by=reported_by,
        **extra,
    )


def test_coverage_counts_commitments_and_payments_against_needs() -> None:
    peru = Actor.objects.get(iso3="PER")
    need = Need.objects.create(
        state=peru,
        pillar="survey_clearance",
        assistance_type="financial",
        title="Clearance",
        amount=Decimal(1000),
        currency="USD",
        amount_usd=Decimal(1000),
        year_from=2025,
        year_to=2025,
    )
    flow("JPN", "PER", 300, "donor", status="pledge", year=2025, need=need)
    flow("JPN", "PER", 400, "donor", status="commitment", year=2025, need=need)
    body = Client().get("/api/cooperation/coverage/PER").json()
    year = next(y for y in body["real"] if y["year"] == 2025)
    assert Decimal(year["required_usd"]) == 1000
    assert Decimal(year["committed_usd"]) == 400  # the pledge does not count
    assert Decimal(year["gap_usd"]) == 600
    assert Client().get("/api/cooperation/coverage/XXX").status_code == 404


def test_triangulation_flags_the_gap_between_donor_and_recipient_reports() -> None:
    flow("NOR", "COL", 1_000_000, "donor")
    flow("NOR", "COL", 700_000, "recipient")
    flow("NOR", "KHM", 500_000, "donor")
    flow("NOR", "KHM", 500_000, "recipient")
    mismatches = Client().get("/api/cooperation/triangulation?year=2023").json()
    pairs = {(m["donor"], m["recipient"]): m for m in mismatches}
    assert ("NOR", "KHM") not in pairs
    assert Decimal(pairs[("NOR", "COL")]["gap_usd"]) == 300_000
    assert Decimal(pairs[("NOR", "COL")]["gap_ratio"]) == Decimal("0.3")


def test_published_totals_come_from_the_reference_data_with_their_source() -> None:
    totals = Client().get("/api/cooperation/published-totals?year=2022").json()
    assert totals, "support.csv has 2022 totals"
    assert len(totals) == PublishedTotal.objects.filter(year=2022).count()
    assert all(t["source_url"].startswith("http") for t in totals)
    page = Client().get("/cooperation/flows/published-totals/?year=2022")
    assert page.status_code == 200
    assert "913,500,000" in page.content.decode() or "913 500 000" in page.content.decode()


def test_case_detail_hides_confidential_cases_and_shows_pledge_outcomes() -> None:
    cast = make_cast()
    peru = Actor.objects.get(iso3="PER")
    open_case = IndividualisedApproachCase.objects.create(
        state=peru, requested_on="2024-03-01", status="follow_up"
    )
    secret = IndividualisedApproachCase.objects.create(
        state=peru, requested_on="2024-03-02", visibility="committee"
    )
    pledge = flow("JPN", "PER", 300, "donor", status="pledge", year=2024, case=open_case)
    flow("JPN", "PER", 300, "donor", status="commitment", year=2024, case=open_case, follows=pledge)
    body = Client().get(f"/api/cooperation/cases/{open_case.pk}").json()
    assert body["status"] == "follow_up"
    [line] = body["pledges"]
    assert line["pledge"]["status"] == "pledge"
    assert line["commitment"]["status"] == "commitment"
    assert line["payment"] is None
    assert Client().get(f"/api/cooperation/cases/{secret.pk}").status_code == 404
    chair = Client()
    chair.force_login(cast["committee_chair"])
    assert chair.get(f"/api/cooperation/cases/{secret.pk}").status_code == 200


def test_platforms_and_bilateral_meetings_in_the_api_honour_visibility() -> None:
    from minefree.casework.models import BilateralMeeting, NationalPlatform, PlatformMeeting
    from minefree.registry.models import Committee

    cast = make_cast()
    peru = Actor.objects.get(iso3="PER")
    platform = NationalPlatform.objects.create(state=peru, convening_authority=peru)
    platform.members.add(Actor.objects.get(iso3="JPN"))
    PlatformMeeting.objects.create(
        platform=platform, held_on="2024-05-02", funding_gap_usd=Decimal(1_500_000)
    )
    body = Client().get("/api/cooperation/platforms/PER").json()
    assert body["members"] == ["JPN"]
    assert Decimal(body["meetings"][0]["funding_gap_usd"]) == 1_500_000
    NationalPlatform.objects.create(state=Actor.objects.get(iso3="COL"), visibility="private")
    assert Client().get("/api/cooperation/platforms/COL").status_code == 404

    BilateralMeeting.objects.create(
        committee=Committee.objects.get(code="cooperation_assistance"),
        counterpart=Actor.objects.get(iso3="AGO"),
        held_on="2024-06-19",
        topics=["national_platform", "mine risk education in schools"],
        notes="Angola will consider a platform.",
        visibility="committee",
    )
    assert Client().get("/api/cooperation/bilateral-meetings").json() == []
    chair = Client()
    chair.force_login(cast["committee_chair"])
    [meeting] = chair.get("/api/cooperation/bilateral-meetings?counterpart=AGO").json()
    assert meeting["topics"] == [
        "establishing a national platform",
        "mine risk education in schools",
    ]
    assert meeting["notes"] == "Angola will consider a platform."
    focal_point = Client()
    focal_point.force_login(cast["focal_point_colombia"])
    assert focal_point.get("/api/cooperation/bilateral-meetings").json() == []
