"""The cooperation home: every reader gets a page that fits them, and no menu link fails."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need, Offer
from minefree.core.models import Origin, Visibility
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

THIS_YEAR = __import__("datetime").date.today().year


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


@pytest.fixture
def records() -> dict[str, Any]:
    peru, japan = Actor.objects.get(iso3="PER"), Actor.objects.get(iso3="JPN")
    need = Need.objects.create(
        state=peru,
        pillar="survey_clearance",
        assistance_type="training",
        title="Training of deminers in Cusco",
        amount=Decimal(50_000),
        currency="USD",
        amount_usd=Decimal(50_000),
        year_from=THIS_YEAR,
        year_to=THIS_YEAR + 1,
        languages=["es"],
        origin=Origin.REPORTED,
    )
    hidden = Need.objects.create(
        state=peru,
        pillar="survey_clearance",
        assistance_type="equipment",
        title="Detectors for the committee only",
        year_from=THIS_YEAR,
        year_to=THIS_YEAR,
        visibility=Visibility.COMMITTEE,
    )
    offer = Offer.objects.create(
        provider=japan,
        title="Training for survey teams",
        assistance_types=["training"],
        pillars=["survey_clearance"],
        year_from=THIS_YEAR,
        year_to=THIS_YEAR + 2,
        languages=["es"],
    )
    return {"need": need, "hidden": hidden, "offer": offer}


def get(user: Any, path: str) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path)


def test_the_public_sees_an_overview_not_a_sign_in_page(records: dict[str, Any]) -> None:
    response = get(None, "/cooperation/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "What is public" in html
    assert "Training of deminers in Cusco" in html
    assert "Detectors for the committee only" not in html  # visibility holds on the home too
    assert "1 need for assistance" in html
    assert "Committee workspace" not in html


def test_a_donor_sees_their_offers_with_the_needs_they_match(
    cast: dict[str, Any], records: dict[str, Any]
) -> None:
    response = get(cast["donor_japan"], "/cooperation/")
    assert response.status_code == 200
    html = response.content.decode()
    mine = html[html.index('id="my-offers"') :]
    assert "Training for survey teams" in mine
    assert "Training of deminers in Cusco" in mine  # the match, with its reasons
    assert 'data-component="type"' in mine
    assert "Your state's needs" not in html
    assert "Committee workspace" not in html  # a donor's menu never links to a 403


def test_a_state_sees_its_needs_and_partnerships(
    cast: dict[str, Any], records: dict[str, Any]
) -> None:
    html = get(cast["focal_point_peru"], "/cooperation/").content.decode()
    mine = html[html.index('id="my-needs"') : html.index('id="public"')]
    assert "Training of deminers in Cusco" in mine
    assert "Detectors for the committee only" in mine  # its own records, whatever their level
    assert "Add a need of Peru" in mine
    assert "Your offers" not in html


def test_the_committee_is_pointed_to_its_workspace(
    cast: dict[str, Any], records: dict[str, Any]
) -> None:
    html = get(cast["committee_chair"], "/cooperation/").content.decode()
    assert 'href="/cooperation/workspace/"' in html
    assert "open needs without a partnership" in html or "open need without" in html
    assert get(cast["committee_chair"], "/cooperation/workspace/").status_code == 200


@pytest.mark.parametrize(
    "who",
    ["anonymous", "focal_point_peru", "donor_japan", "committee_chair", "isu_staff", "no_role"],
)
def test_no_menu_link_answers_an_error_for_the_reader_who_sees_it(
    who: str, cast: dict[str, Any], records: dict[str, Any]
) -> None:
    user = cast[who]
    seen: set[str] = set()
    for page in ("/", "/cooperation/"):
        html = get(user, page).content.decode()
        menus = re.findall(r"<nav[^>]*>(.*?)</nav>", html, flags=re.S)
        for menu in menus:
            seen.update(h for h in re.findall(r'href="(/[^"#?]*)"', menu))
    assert "/cooperation/" in seen
    for path in sorted(seen):
        if path.startswith("/api/"):
            continue
        response = get(user, path)
        assert response.status_code in (200, 302), (who, path, response.status_code)
        if response.status_code == 302:  # only the language switch redirects
            assert "/i18n/" in path or response["Location"].startswith("/"), path
            assert "login" not in response["Location"], (who, path)


def test_the_home_reads_a_bounded_number_of_queries(
    cast: dict[str, Any], records: dict[str, Any]
) -> None:
    def queries() -> int:
        client = Client()
        client.force_login(cast["donor_japan"])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cooperation/").status_code == 200
        return len(ctx)

    before = queries()
    peru, japan = Actor.objects.get(iso3="PER"), Actor.objects.get(iso3="JPN")
    for i in range(12):
        Need.objects.create(
            state=peru,
            pillar="survey_clearance",
            assistance_type="training",
            title=f"More need {i}",
            year_from=THIS_YEAR,
            year_to=THIS_YEAR,
        )
        Offer.objects.create(
            provider=japan,
            title=f"More offer {i}",
            assistance_types=["training"],
            pillars=["survey_clearance"],
            year_from=THIS_YEAR,
            year_to=THIS_YEAR,
        )
    assert queries() == before
