"""The fund's yearly report: built from the records of the seed visit, figures equal to the
ledger, synthetic data counted apart, and printed as page, DOCX and PDF in the reader's
language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minefree.fund import report
from minefree.fund.ledger import totals_from_entries
from minefree.fund.models import LedgerEntry
from minefree.fund.scenario import seed_visit_load
from minefree.fund.tests.world import fund_cast, scenario_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    users = fund_cast()
    return seed_visit_load(scenario_cast(users))


def test_the_2024_report_tells_the_seed_visit_from_the_records(seeded):
    r = report.build(2024)
    assert r.has_data and r.synthetic
    assert "Netherlands" in r.background.established_by
    assert r.background.meeting_code == "19MSP"
    assert report.Ref("fund.contribution", seeded.contribution.pk, True) in r.background.refs
    (line,) = r.contributions.lines
    assert line.donor_code == "NLD" and line.amount == Decimal("60000.00")
    assert line.announced_at and line.synthetic
    (eur,) = r.contributions.received
    assert eur.figure.value == Decimal("60000.00") == eur.figure.synthetic
    assert eur.figure.real == 0
    (call,) = r.calls.lines
    assert (call.received.value, call.selected.value, call.not_selected.value) == (1, 1, 0)
    assert call.received.refs == [report.Ref("fund.application", seeded.application.pk, True)]
    (visit,) = r.visits
    assert visit.applicant == "Nigerian Mine Action Centre" or "Nigeria" in visit.applicant_state
    assert "Türkiye" in visit.host_state or "Turk" in visit.host
    assert visit.held_from == dt.date(2024, 11, 3) and visit.theme == "information_management"
    assert len(r.lessons) == 2 and len(r.follow_ups) == 2


def test_money_at_year_end_is_the_ledger_up_to_31_december(seeded):
    (b2024,) = report.build(2024).books
    assert b2024.received.value == Decimal("60000.00")
    assert b2024.disbursed.value == Decimal("12300.00")
    assert b2024.refunded.value == 0 and b2024.reserved_at_end.value == 0
    assert b2024.available_at_end.value == Decimal("47700.00")
    # the refund of what was not spent is booked on closure, in 2025
    (b2025,) = report.build(2025).books
    now = totals_from_entries("EUR")
    assert b2025.refunded.value == now["refunded"] > 0
    assert (
        b2025.available_at_end.value
        == now["received"] - now["disbursed"] + now["refunded"] - now["reserved"]
    )
    ids = {r.id for r in b2025.available_at_end.refs}
    assert ids == set(LedgerEntry.objects.values_list("pk", flat=True))
    assert all(r.synthetic for r in b2025.available_at_end.refs)


def test_a_year_without_records_has_no_data(seeded):
    r = report.build(2019)
    assert not r.has_data
    assert r.visits == [] and r.contributions.lines == []
    assert report.latest_year() == 2025
    assert report.years() == [2025, 2024, 2021]
