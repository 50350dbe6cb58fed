"""Recording flows: who may, what is stored, tranches, advancing, currency."""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from currency_converter import CurrencyConverter, RateNotFoundError
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import AssistanceType, Need, Offer, Partnership
from minefree.core import currency
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent
from minefree.core.workflow import AlreadyDone
from minefree.funding import flows
from minefree.funding import totals as funding
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return make_cast()


@pytest.fixture
def japan():
    return Actor.objects.get(iso3="JPN")


@pytest.fixture
def peru():
    return Actor.objects.get(iso3="PER")


def _record(actor, donor, recipient, reported_by=ReportedBy.DONOR, **extra):
    values = {"status": FlowStatus.PLEDGE, "year": 2022, "amount": 1000, "currency": "USD"}
    values.update(extra)
    return flows.flow_record(
        actor=actor, donor=donor, recipient=recipient, reported_by=reported_by, **values
    )


@pytest.mark.parametrize(
    ("user", "reported_by", "allowed"),
    [
        ("donor_japan", ReportedBy.DONOR, True),
        ("focal_point_peru", ReportedBy.RECIPIENT, True),
        ("isu_staff", ReportedBy.THIRD_PARTY, True),
        ("donor_japan", ReportedBy.RECIPIENT, False),
        ("focal_point_peru", ReportedBy.DONOR, False),
        ("focal_point_colombia", ReportedBy.RECIPIENT, False),
        ("committee_chair", ReportedBy.DONOR, False),
        ("no_role", ReportedBy.DONOR, False),
        ("anonymous", ReportedBy.DONOR, False),
    ],
)
def test_who_records_a_flow(cast, japan, peru, user, reported_by, allowed):
    before = (Flow.objects.count(), AuditEvent.objects.count())
    if allowed:
        flow = _record(cast[user], japan, peru, reported_by)
        assert flow.reported_by == reported_by
        assert AuditEvent.objects.filter(action="flow.recorded", object_id=str(flow.pk)).exists()
        assert (
            AuditEvent.objects.get(action="flow.recorded", object_id=str(flow.pk)).state_code
            == "PER"
        )
    else:
        with pytest.raises(PermissionDenied):
            _record(cast[user], japan, peru, reported_by)
        assert (Flow.objects.count(), AuditEvent.objects.count()) == before


def test_system_records_like_staff(japan, peru):
    assert _record(SYSTEM, japan, peru, ReportedBy.THIRD_PARTY).pk


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("donor_japan", True),
        ("isu_staff", True),
        ("focal_point_peru", False),
        ("committee_chair", False),
        ("anonymous", False),
    ],
)
def test_only_the_donor_advances_and_splits_its_pledge(cast, japan, peru, user, allowed):
    pledge = _record(cast["donor_japan"], japan, peru)
    count = Flow.objects.count()
    if allowed:
        flows.flow_advance(actor=cast[user], flow=pledge, status=FlowStatus.COMMITMENT)
        flows.pledge_split(actor=cast[user], flow=_record(SYSTEM, japan, peru), years=[2022, 2023])
    else:
        with pytest.raises(PermissionDenied):
            flows.flow_advance(actor=cast[user], flow=pledge, status=FlowStatus.COMMITMENT)
        with pytest.raises(PermissionDenied):
            flows.pledge_split(actor=cast[user], flow=pledge, years=[2022, 2023])
        assert Flow.objects.count() == count


def test_a_donor_cannot_edit_another_donors_pledge(cast, peru):
    norway = Actor.objects.get(iso3="NOR")
    pledge = _record(SYSTEM, norway, peru)
    with pytest.raises(PermissionDenied):
        flows.flow_advance(actor=cast["donor_japan"], flow=pledge, status=FlowStatus.PAID)


@pytest.mark.parametrize(
    "changes",
    [{"amount": -5}, {"amount": 0}, {"currency": "dollars"}, {"year": 1900}, {"amount": "x"}],
)
def test_bad_input_is_refused(japan, peru, changes):
    with pytest.raises(ValidationError):
        _record(SYSTEM, japan, peru, **changes)


def test_donor_and_recipient_differ(peru):
    with pytest.raises(ValidationError):
        _record(SYSTEM, peru, peru)


def test_amounts_are_converted_at_the_yearly_average_of_the_package():
    converter = CurrencyConverter()
    rates = []
    day = dt.date(2021, 1, 1)
    while day.year == 2021:
        with contextlib.suppress(RateNotFoundError):
            rates.append(converter.convert(1, "EUR", "USD", date=day))
        day += dt.timedelta(days=1)
    expected = (Decimal(1000) * Decimal(str(sum(rates) / len(rates)))).quantize(Decimal("0.01"))
    assert currency.to_usd(1000, "EUR", 2021) == expected
    assert currency.to_usd(Decimal("12.5"), "usd", 1950) == Decimal("12.50")
    assert currency.to_usd(1000, "COP", 2021) is None  # no ECB rate: unknown, never guessed
    assert currency.to_usd(1000, "EUR", 2090) is None


def test_a_flow_stores_its_usd_equivalent(japan, peru):
    flow = _record(SYSTEM, japan, peru, amount=1000, currency="JPY", year=2020)
    assert flow.amount_usd == currency.to_usd(1000, "JPY", 2020)
    unknown = _record(SYSTEM, japan, peru, amount=1000, currency="PEN", year=2020)
    assert unknown.amount_usd is None


def test_a_pledge_splits_into_equal_tranches_with_the_remainder_last(japan, peru):
    pledge = _record(SYSTEM, japan, peru, amount="100.00", year=2023)
    tranches = flows.pledge_split(actor=SYSTEM, flow=pledge, years=[2023, 2024, 2025])
    assert [t.amount for t in tranches] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert [t.year for t in tranches] == [2023, 2024, 2025]
    assert all(t.tranche_of == pledge and t.status == FlowStatus.PLEDGE for t in tranches)
    with pytest.raises(AlreadyDone):
        flows.pledge_split(actor=SYSTEM, flow=pledge, years=[2026, 2027])
    with pytest.raises(ValidationError, match="tranche"):
        flows.pledge_split(actor=SYSTEM, flow=tranches[0], years=[2026, 2027])
    with pytest.raises(ValidationError):
        flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT)


def test_only_pledges_split_into_distinct_years(japan, peru):
    commitment = _record(SYSTEM, japan, peru, status=FlowStatus.COMMITMENT)
    with pytest.raises(ValidationError):
        flows.pledge_split(actor=SYSTEM, flow=commitment, years=[2022, 2023])
    with pytest.raises(ValidationError):
        flows.pledge_split(actor=SYSTEM, flow=_record(SYSTEM, japan, peru), years=[2022, 2022])


def test_advancing_keeps_the_pledge_and_moves_forward_only(japan, peru):
    pledge = _record(SYSTEM, japan, peru, amount=1000, currency="EUR", year=2021)
    commitment = flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT)
    paid = flows.flow_advance(
        actor=SYSTEM, flow=commitment, status=FlowStatus.PAID, amount=800, year=2022
    )
    assert Flow.objects.filter(pk=pledge.pk, status=FlowStatus.PLEDGE).exists()
    assert commitment.follows == pledge and paid.follows == commitment
    assert paid.amount == 800 and paid.amount_usd == currency.to_usd(800, "EUR", 2022)
    with pytest.raises(ValidationError):
        flows.flow_advance(actor=SYSTEM, flow=paid, status=FlowStatus.COMMITMENT)
    with pytest.raises(ValidationError):
        flows.flow_advance(actor=SYSTEM, flow=commitment, status=FlowStatus.PLEDGE)


def test_a_chain_starts_where_the_money_reached_the_intermediary(japan, peru):
    fund = Actor.objects.get(slug="un-vtf")
    into_fund = _record(SYSTEM, japan, fund, status=FlowStatus.PAID)
    onward = _record(SYSTEM, fund, peru, status=FlowStatus.PAID, via=into_fund)
    assert onward.via == into_fund
    with pytest.raises(ValidationError):
        _record(SYSTEM, japan, peru, status=FlowStatus.PAID, via=into_fund)


def _followers(flow):
    return list(Flow.objects.filter(follows=flow))


def test_a_repeated_advance_records_one_commitment(japan, peru):
    """Two requests that loaded the pledge before either wrote: the second is refused."""
    pledge = _record(SYSTEM, japan, peru, amount=100)
    first_copy, second_copy = Flow.objects.get(pk=pledge.pk), Flow.objects.get(pk=pledge.pk)
    flows.flow_advance(actor=SYSTEM, flow=first_copy, status=FlowStatus.COMMITMENT)
    with pytest.raises(AlreadyDone, match="already carried forward in full"):
        flows.flow_advance(actor=SYSTEM, flow=second_copy, status=FlowStatus.COMMITMENT)
    assert [f.amount for f in _followers(pledge)] == [Decimal(100)]


def test_a_partial_commitment_leaves_the_rest_to_commit(japan, peru):
    pledge = _record(SYSTEM, japan, peru, amount=101)
    flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT, amount=60)
    with pytest.raises(ValidationError, match=r"Only 41\.00 USD"):
        flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT, amount=60)
    rest = flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT)
    assert rest.amount == Decimal(41)
    assert sum(f.amount for f in _followers(pledge)) == pledge.amount
    assert funding.left_to_carry([pledge]) == {pledge.pk: None}
    with pytest.raises(AlreadyDone):
        flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.PAID)


def test_an_increase_beyond_the_pledge_is_recorded_only_when_said(japan, peru):
    pledge = _record(SYSTEM, japan, peru, amount=100)
    flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT)
    more = flows.flow_advance(
        actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT, amount=25, increase=True
    )
    assert more.amount == Decimal(25)
    assert AuditEvent.objects.filter(action="flow.increased", object_id=str(more.pk)).exists()


def test_support_of_unstated_value_is_carried_forward_once(japan, peru):
    pledge = _record(
        SYSTEM, japan, peru, amount=0, currency="XXX", assistance_type=AssistanceType.EQUIPMENT
    )
    assert funding.left_to_carry([pledge]) == {pledge.pk: Decimal(0)}
    flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT)
    with pytest.raises(AlreadyDone):
        flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT)
    assert len(_followers(pledge)) == 1


def test_a_financial_advance_needs_an_amount(japan, peru):
    pledge = _record(SYSTEM, japan, peru, amount=100)
    with pytest.raises(ValidationError, match="Give the amount"):
        flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT, amount=0)


def test_a_flow_counts_only_towards_a_need_and_partnership_of_its_parties(japan, peru):
    colombia = Actor.objects.get(iso3="COL")
    need = Need.objects.create(
        state=peru,
        pillar="survey_clearance",
        assistance_type="financial",
        title="Clearance",
        year_from=2022,
        year_to=2023,
    )
    offer = Offer.objects.create(
        provider=japan,
        title="Support",
        assistance_types=["financial"],
        pillars=["survey_clearance"],
        year_from=2022,
        year_to=2023,
    )
    partnership = Partnership.objects.create(need=need, offer=offer, score=1.0, reasons=[])
    before = Flow.objects.count()
    with pytest.raises(ValidationError, match="another state"):
        _record(SYSTEM, japan, colombia, need=need)
    with pytest.raises(ValidationError, match="other parties"):
        _record(SYSTEM, Actor.objects.get(iso3="NOR"), peru, partnership=partnership)
    assert Flow.objects.count() == before
    assert (
        _record(SYSTEM, japan, peru, need=need, partnership=partnership).partnership == partnership
    )
