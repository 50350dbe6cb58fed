"""The fund's pages, the workspace and the country page read in a number of queries
that does not grow with the number of visits, tranches, entries or follow-up actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.fund import services
from minefree.fund.tests import pages
from minefree.fund.tests.pages import client_of, text

pytestmark = pytest.mark.django_db

PAGES = ("/fund/", "/fund/calls/{call}/", "/fund/applications/{app}/", "/fund/ledger/")


def _counts(client: Any, urls: list[str]) -> list[int]:
    result = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        result.append(len(queries))
    return result


def _more_visits(users: dict[str, Any], call: Any, n: int) -> None:
    for _i in range(n):
        application = pages.reported(users, call)
        assert application.follow_ups.exists()


@pytest.mark.parametrize("who", ["isu", "member_DNK", None])
def test_fund_pages_do_not_grow_with_the_data(users, who):
    pages.fund_money(users["isu"], "100000")
    call = pages.open_call(users["isu"])
    pages.held(users, call)  # a visit held, for the summary's list
    application = pages.granted(users, call)
    services.disbursement_record(
        actor=users["isu"], grant=application.grant, amount=Decimal("100"), paid_on=pages.TODAY
    )
    urls = [u.format(call=call.pk, app=application.pk) for u in PAGES]
    if who is None:
        urls.remove("/fund/ledger/")
    client = client_of(users[who] if who else None)
    small = _counts(client, urls)
    _more_visits(users, call, 4)
    for amount in ("200", "300", "400"):
        services.disbursement_record(
            actor=users["isu"], grant=application.grant, amount=Decimal(amount), paid_on=pages.TODAY
        )
    pages.fund_money(users["isu"], "5000")
    assert _counts(client, urls) == small
    assert text(client.get("/fund/")).count("Nigerian Mine Action Centre") >= 4


def test_the_country_page_reads_one_or_many_visits_alike(users):
    pages.fund_money(users["isu"], "100000")
    call = pages.open_call(users["isu"])
    pages.held(users, call)
    client = client_of()
    urls = ["/states/NGA/", "/states/TUR/"]
    small = _counts(client, urls)
    page = text(client.get("/states/TUR/"))
    assert 'id="fund-visits"' in page and "Nigerian Mine Action Centre" in page
    _more_visits(users, call, 4)
    assert _counts(client, urls) == small
    nigeria = text(client.get("/states/NGA/"))
    assert nigeria.count("/fund/applications/") == 5


def test_the_workspace_lists_the_open_follow_ups_in_bounded_queries(users):
    pages.fund_money(users["isu"], "100000")
    call = pages.open_call(users["isu"])
    application = pages.reported(users, call)
    member = client_of(users["member_JPN"])
    page = text(member.get("/cooperation/workspace/"))
    assert 'id="fund-follow-ups"' in page and "Draft data standards" in page
    assert f"/fund/applications/{application.pk}/#follow-ups" in page
    small = _counts(member, ["/cooperation/workspace/"])
    _more_visits(users, call, 4)
    assert _counts(member, ["/cooperation/workspace/"]) == small
    follow_up = application.follow_ups.get()
    services.follow_up_update(actor=users["member_JPN"], follow_up=follow_up, status="done")
    page = text(member.get("/cooperation/workspace/"))
    assert page.count("Draft data standards") == 4  # the done one is gone
