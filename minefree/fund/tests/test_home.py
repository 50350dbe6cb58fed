"""The public page sorts calls by their window, labels synthetic money, and an
application's page gives the committee's decision, not its current step."""

from __future__ import annotations

import pytest

from minefree.fund.scenario import seed_visit_load
from minefree.fund.tests import pages
from minefree.fund.tests.world import scenario_cast

pytestmark = pytest.mark.django_db


def test_a_call_past_its_window_is_listed_as_closed_for_applications(users):
    past = seed_visit_load(scenario_cast(users)).application.call  # 2024, still "published"
    current = pages.open_call(users["isu"], title="Open this year")
    page = pages.text(pages.client_of().get("/fund/"))
    open_part, closed_part = page.split("Closed for applications")
    assert current.title in open_part and past.title not in open_part
    assert past.title in closed_part


def test_synthetic_money_is_labelled_and_a_decision_reads_as_a_decision(users):
    application = seed_visit_load(scenario_cast(users)).application
    client = pages.client_of()
    home = client.get("/fund/").content.decode()
    row = home.split('data-currency="EUR"')[1].split("</tr>")[0]
    assert "synthetic demo data" in row
    detail = client.get(f"/fund/applications/{application.pk}/").content.decode()
    assert 'data-selected="yes"' in detail
    assert "capacity, technical expertise" in detail  # challenge names, not codes
