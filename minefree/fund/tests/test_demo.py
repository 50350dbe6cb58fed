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
