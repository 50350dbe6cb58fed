"""``minefree load-demo-fund``: loads the seed visit and a synthetic history at several
steps through the services, labels every record synthetic, and adds nothing the second time."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from minefree.core.models import Origin
from minefree.fund.ledger import totals_from_entries
from minefree.fund.models import (
    Application,
    ApplicationStatus,
    Call,
    Contribution,
    FundBalance,
    HostProfile,
    LedgerEntry,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Contribution, Call, Application, HostProfile, LedgerEntry)
    }


def test_the_demo_loads_every_step_once_and_all_of_it_synthetic():
    out = io.StringIO()
    call_command("load_demo_fund", stdout=out)
    assert "Fund demo data added" in out.getvalue()
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {
        ApplicationStatus.CLOSED,
        ApplicationStatus.GRANTED,
        ApplicationStatus.NOT_SELECTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.SUBMITTED,
    } <= statuses
    assert Contribution.objects.values("donor").distinct().count() == 2
    assert HostProfile.objects.count() >= 3
    # every record made is synthetic; the contribution of the seed also names its source
    for model in (Contribution, Call, Application, HostProfile):
        assert set(model.objects.values_list("origin", flat=True)) == {Origin.SYNTHETIC}
    assert Contribution.objects.filter(source__url__startswith="seed/").count() == 1
    for balance in FundBalance.objects.all():
        totals = totals_from_entries(balance.currency)
        assert totals["received"] == balance.received and totals["reserved"] == balance.reserved
    before = _counts()
    again = io.StringIO()
    call_command("load_demo_fund", stdout=again)
    assert "nothing added" in again.getvalue()
    assert _counts() == before


def test_the_reports_of_the_demo_years_count_each_step_where_it_happened():
    from minefree.fund import report

    call_command("load_demo_fund", stdout=io.StringIO())
    r2024, r2025 = report.build(2024), report.build(2025)
    # the second donor pledged in December 2024 and paid in February 2025
    assert [m.currency for m in r2024.contributions.received] == ["EUR"]
    assert len(r2024.contributions.lines) == 2
    assert len(r2025.contributions.received) == 1
    assert r2025.contributions.received[0].currency != "EUR"
    # 2024: the pilot and the second round; 3 received, 2 selected, 1 not selected
    assert (
        r2024.calls.received.value,
        r2024.calls.selected.value,
        r2024.calls.not_selected.value,
    ) == (3, 2, 1)
    assert r2024.calls.received.synthetic == 3
    # 2025: the call with one application submitted and one in review, awaiting decision
    assert r2025.calls.received.value == 2 and r2025.calls.pending.value == 2
    pipeline = {step.status: step.figure.value for step in r2025.forward.pipeline}
    assert pipeline == {"submitted": 1, "in_review": 1, "selected": 0, "granted": 1}
    # the grant of the second round is reserved at the end of 2024
    (eur,) = [b for b in r2024.books if b.currency == "EUR"]
    assert eur.reserved_at_end.value > 0
    assert eur.available_at_end.value == eur.balance_at_end.value - eur.reserved_at_end.value
