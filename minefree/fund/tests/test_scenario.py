"""The seed scenario, every step taken by the person whose step it is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from minefree.fund.ledger import totals_from_entries
from minefree.fund.models import ApplicationStatus, FundBalance, LedgerEntry, Movement
from minefree.fund.scenario import seed_visit_load
from minefree.fund.tests.world import fund_cast, scenario_cast
from minefree.knowledge.models import Passage, Practice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_the_nigeria_turkiye_visit_runs_from_contribution_to_closure():
    users = fund_cast()
    scenario = seed_visit_load(scenario_cast(users))
    application = scenario.application
    assert application.status == ApplicationStatus.CLOSED
    assert application.applicant.slug == "nigeria-nmac"
    assert application.host.slug == "turkiye-turmac"
    assert str(application.held_from) == "2024-11-03"
    assert scenario.contribution.announced_at.code == "19MSP"
    # three members scored; Türkiye, the host's state, could not
    assert sorted(s.member_state.iso3 for s in application.scores.all()) == ["DNK", "DZA", "JPN"]
    balance = FundBalance.objects.get(currency="EUR")
    spent = sum(line.actual for line in application.budget_lines.all())
    assert balance.received == Decimal("60000.00")
    assert balance.disbursed == Decimal("12300.00")
    assert balance.refunded == Decimal("12300.00") - spent
    assert balance.reserved == 0
    assert balance.available == Decimal("60000.00") - spent
    assert totals_from_entries("EUR") == {
        "received": balance.received,
        "reserved": balance.reserved,
        "disbursed": balance.disbursed,
        "refunded": balance.refunded,
    }
    kinds = list(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds.count(Movement.DISBURSEMENT) == 2 and Movement.REFUND in kinds
    # the lessons are practices with the visit as their source, and searchable passages
    practices = Practice.objects.filter(source_kind="fund.visitreport")
    assert practices.count() == 2
    assert all(p.contact.slug == "turkiye-turmac" for p in practices)
    assert Passage.objects.filter(
        source_kind="fund.visitreport", text__icontains="national standards"
    ).exists()
