"""The state's reported challenges, with evidence, on the committee's pages: the public
country page, the individualised approach case and the workspace of an extension request;
what a reader may not read stays off them, and the pages' queries do not grow with the
passages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.casework.tests.test_cases import held_case
from minefree.clearance.tests.factories import submitted
from minefree.core.audit import SYSTEM
from minefree.core.models import Visibility
from minefree.knowledge import services
from minefree.knowledge.models import LabelStatus
from minefree.knowledge.tests.factories import client as _client
from minefree.knowledge.tests.factories import committee_document, passage

pytestmark = pytest.mark.django_db


def _pages() -> dict[str, str]:
    case = held_case()
    request = submitted(SYSTEM).request
    return {
        "country": "/states/PER/",
        "case": f"/cooperation/cases/{case.pk}/",
        "workspace": f"/clearance/{request.pk}/workspace/",
    }


def test_the_committee_pages_show_the_states_challenges_with_evidence(cast):
    pages = _pages()
    funding = passage("PER", 2024, "financial", text="Donor funding fell by half in 2024.")
    passage("PER", 2022, "financial", text="Funding was short in 2022.")
    passage("PER", 2024, "expertise", status=LabelStatus.REJECTED, text="A rejected one.")
    notes = committee_document("PER")
    passage(
        "PER",
        2023,
        "security_access",
        visibility=Visibility.COMMITTEE,
        document=notes,
        text="Armed groups block the northern areas.",
    )
    chair = _client(cast["committee_chair"])
    for name, url in pages.items():
        html = chair.get(url).content.decode()
        assert 'id="challenges"' in html, name
        assert 'data-challenge="financial"' in html and "reported for 2024, 2022" in html, name
        assert "Donor funding fell by half" in html and f"/knowledge/passages/{funding.pk}/" in html
        assert "Funding was short" not in html  # evidence of the latest year only
        assert 'data-challenge="expertise"' not in html
        assert "Armed groups" in html, name
    public = _client().get(pages["country"]).content.decode()
    assert "Donor funding fell by half" in public and "Armed groups" not in public
    case = _client(cast["focal_point_colombia"]).get(pages["case"]).content.decode()
    assert 'data-challenge="financial"' in case and "Armed groups" not in case


@pytest.mark.parametrize("page", ["country", "case", "workspace"])
def test_the_pages_queries_do_not_grow_with_the_passages(cast, page):
    url = _pages()[page]
    chair = _client(cast["committee_chair"])

    def count() -> int:
        chair.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert chair.get(url).status_code == 200
        return len(ctx.captured_queries)

    def grow(n: int) -> None:
        for i in range(n):
            passage("PER", 2015 + i % 10, "financial", "capacity", "coordination")

    grow(1)
    small = count()
    grow(30)
    assert count() == small


def test_a_decision_on_a_label_refreshes_the_cached_country_page(cast):
    found = passage("PER", 2024, "financial", text="Donor funding fell by half in 2024.")
    anonymous = Client()
    assert 'data-challenge="financial"' in anonymous.get("/states/PER/").content.decode()
    assert anonymous.get("/states/PER/").headers.get("X-Page-Cache") == "hit"
    services.label_decide(
        actor=cast["committee_chair"], passage=found, category="financial", status="rejected"
    )
    assert 'data-challenge="financial"' not in anonymous.get("/states/PER/").content.decode()
