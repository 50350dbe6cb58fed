"""Totals, coverage and triangulation: every dollar once, synthetic apart, visibility honoured."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need
from minefree.assistance.selectors import Reader, reader
from minefree.core.audit import SYSTEM
from minefree.core.models import Origin, Visibility
from minefree.funding import flows
from minefree.funding import totals as funding
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db
STAFF = Reader(staff=True, committee=True, states_parties=True)
PUBLIC = Reader()


@pytest.fixture
def japan():
    return Actor.objects.get(iso3="JPN")


@pytest.fixture
def peru():
    return Actor.objects.get(iso3="PER")


def _flow(donor, recipient, status=FlowStatus.PAID, amount=100, **extra):
    values = {"year": 2023, "currency": "USD", "reported_by": ReportedBy.DONOR}
    values.update(extra)
    return flows.flow_record(
        actor=SYSTEM, donor=donor, recipient=recipient, status=status, amount=amount, **values
    )


def _need(state, amount_usd=None, year_from=2023, year_to=2023, **extra):
    return Need.objects.create(
        state=state,
        pillar="survey_clearance",
        assistance_type="financial",
        title="Clearance",
        amount_usd=amount_usd,
        year_from=year_from,
        year_to=year_to,
        **extra,
    )


def test_pledge_commitment_payment_are_counted_once(japan, peru):
    pledge = _flow(japan, peru, FlowStatus.PLEDGE, 1000)
    commitment = flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT)
    flows.flow_advance(actor=SYSTEM, flow=commitment, status=FlowStatus.PAID, amount=400)
    direct = _flow(japan, peru, FlowStatus.PLEDGE, 50)
    flows.flow_advance(actor=SYSTEM, flow=direct, status=FlowStatus.PAID)
    year = funding.received_by_year_pillar(peru, STAFF).years()[2023]
    assert year.pledged_usd == 1050
    assert year.committed_usd == 1050  # the commitment, and the payment that followed a pledge
    assert year.paid_usd == 450


def test_tranches_replace_their_pledge_in_sums(japan, peru):
    pledge = _flow(japan, peru, FlowStatus.PLEDGE, 300)
    flows.pledge_split(actor=SYSTEM, flow=pledge, years=[2023, 2024, 2025])
    years = funding.received_by_year_pillar(peru, STAFF).years()
    assert {y: a.pledged_usd for y, a in years.items()} == {2023: 100, 2024: 100, 2025: 100}


def test_a_chain_counts_once_globally_and_fully_for_the_recipient(japan, peru):
    fund = Actor.objects.get(slug="un-vtf")
    into_fund = _flow(japan, fund, amount=1000, year=2030)
    _flow(fund, peru, amount=600, year=2030, via=into_fund)
    assert funding.received_by_year_pillar(peru, STAFF).years()[2030].paid_usd == 600
    assert funding.provided_by_year_pillar(fund, STAFF).years()[2030].paid_usd == 600
    global_rows = [r for r in funding._rows(Flow.objects.filter(year=2030)) if r.via_id is None]
    assert sum(r.amount_usd for r in global_rows) == 1000


def test_reporters_of_the_same_money_are_not_added_up(japan, peru):
    _flow(japan, peru, amount=100)
    _flow(japan, peru, amount=90, reported_by=ReportedBy.RECIPIENT)
    _flow(japan, peru, amount=80, reported_by=ReportedBy.THIRD_PARTY)
    assert funding.received_by_year_pillar(peru, STAFF).years()[2023].paid_usd == 100


def test_unknown_values_are_counted_not_summed(japan, peru):
    _flow(japan, peru, amount=100, currency="PEN")
    year = funding.received_by_year_pillar(peru, STAFF).years()[2023]
    assert year.paid_usd == 0 and year.unknown == 1


def test_synthetic_flows_never_enter_real_totals(japan, peru):
    _flow(japan, peru, amount=100)
    _flow(japan, peru, amount=5000, origin=Origin.SYNTHETIC, reported_by=ReportedBy.RECIPIENT)
    totals = funding.received_by_year_pillar(peru, STAFF)
    assert totals.years()[2023].paid_usd == 100
    assert totals.years(synthetic=True)[2023].paid_usd == 5000
    assert not funding.triangulation_mismatches(STAFF, 2023)


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        (PUBLIC, {Visibility.PUBLIC}),
        (Reader(states_parties=True), {Visibility.PUBLIC, Visibility.STATES_PARTIES}),
        (
            Reader(committee=True),
            {Visibility.PUBLIC, Visibility.STATES_PARTIES, Visibility.COMMITTEE},
        ),
        (STAFF, set(Visibility)),
    ],
)
def test_totals_honour_visibility(japan, peru, who, visible):
    amounts = {v: 10 ** (i + 1) for i, v in enumerate(Visibility)}
    for level, amount in amounts.items():
        _flow(japan, peru, amount=amount, visibility=level, year=2031)
    got = funding.received_by_year_pillar(peru, who).years().get(2031)
    assert (got.paid_usd if got else 0) == sum(amounts[v] for v in visible)


def test_the_owner_sees_its_private_flows(japan, peru):
    cast = make_cast()
    _flow(japan, peru, amount=7, visibility=Visibility.PRIVATE, year=2031)
    owner = reader(cast["donor_japan"])
    assert funding.provided_by_year_pillar(japan, owner).years()[2031].paid_usd == 7
    assert 2031 not in funding.provided_by_year_pillar(japan, reader(cast["no_role"])).years()


def test_need_status_follows_commitments_and_payments(japan, peru):
    open_need, partly, met = _need(peru, 1000), _need(peru, 1000), _need(peru, 1000)
    _flow(japan, peru, FlowStatus.COMMITMENT, 1000, need=partly)
    _flow(japan, peru, FlowStatus.PAID, 1000, need=met)
    in_kind_partly, in_kind_met = _need(peru), _need(peru)
    _flow(japan, peru, FlowStatus.COMMITMENT, 0, need=in_kind_partly, assistance_type="equipment")
    _flow(japan, peru, FlowStatus.PAID, 0, need=in_kind_met, assistance_type="equipment")
    progress = funding.need_progress([open_need, partly, met, in_kind_partly, in_kind_met])
    assert [progress[n.pk].status for n in (open_need, partly, met)] == [
        "open",
        "partly_met",
        "met",
    ]
    assert progress[in_kind_partly.pk].status == "partly_met"
    assert progress[in_kind_met.pk].status == "met"
    assert progress[partly.pk].committed_usd == 1000 and progress[partly.pk].paid_usd == 0


def test_need_progress_counts_public_flows_unless_told_who_reads(japan, peru):
    need = _need(peru, 100)
    _flow(japan, peru, FlowStatus.PAID, 100, need=need, visibility=Visibility.PRIVATE)
    assert funding.need_progress([need])[need.pk].status == "open"
    assert funding.need_progress([need], STAFF)[need.pk].status == "met"


def test_a_real_need_ignores_synthetic_flows(japan, peru):
    need = _need(peru, 100)
    _flow(japan, peru, FlowStatus.PAID, 100, need=need, origin=Origin.SYNTHETIC)
    assert funding.need_progress([need])[need.pk].status == "open"


def test_need_progress_takes_constant_queries(japan, peru):
    def run(n):
        needs = [_need(peru, 100) for _ in range(n)]
        for need in needs:
            _flow(japan, peru, FlowStatus.COMMITMENT, 50, need=need)
        with CaptureQueriesContext(connection) as ctx:
            funding.need_progress(needs)
        return len(ctx)

    assert run(2) == run(10) == 1


def test_state_coverage_spreads_needs_over_their_years(japan, peru):
    _need(peru, 3000, 2040, 2042)
    _need(peru, None, 2040, 2040)
    _flow(japan, peru, FlowStatus.COMMITMENT, 500, year=2041)
    _flow(japan, peru, FlowStatus.PAID, 900, year=2041, reported_by=ReportedBy.RECIPIENT)
    lines = {c.year: c for c in funding.state_coverage(peru, STAFF).real}
    assert lines[2040].required_usd == 1000 and lines[2040].unpriced_needs == 1
    # the recipient's payment (following no commitment) also counts as committed; the donor's
    # commitment is preferred for the committed figure
    assert (lines[2041].committed_usd, lines[2041].paid_usd) == (500, 900)
    assert lines[2041].gap_usd == 500


def test_triangulation_flags_gaps_beyond_the_tolerance(japan, peru):
    colombia = Actor.objects.get(iso3="COL")
    _flow(japan, peru, amount=1000, year=2032)
    _flow(japan, peru, amount=700, year=2032, reported_by=ReportedBy.RECIPIENT)
    _flow(japan, colombia, amount=1000, year=2032)
    _flow(japan, colombia, amount=980, year=2032, reported_by=ReportedBy.RECIPIENT)
    found = funding.triangulation_mismatches(STAFF, 2032)
    assert len(found) == 1
    m = found[0]
    assert (m.recipient, m.donor_usd, m.recipient_usd, m.gap_usd) == (peru, 1000, 700, 300)
    assert m.gap_ratio == Decimal("0.3")
    assert not funding.triangulation_mismatches(PUBLIC, 2031)


def test_pledges_awaiting_follow_up_oldest_first(japan, peru):
    later = _flow(japan, peru, FlowStatus.PLEDGE, 10, year=2034)
    older = _flow(japan, peru, FlowStatus.PLEDGE, 10, year=2033)
    honoured = _flow(japan, peru, FlowStatus.PLEDGE, 10, year=2033)
    flows.flow_advance(actor=SYSTEM, flow=honoured, status=FlowStatus.COMMITMENT)
    split = _flow(japan, peru, FlowStatus.PLEDGE, 10, year=2033)
    tranches = flows.pledge_split(actor=SYSTEM, flow=split, years=[2033, 2034])
    _flow(japan, peru, FlowStatus.PLEDGE, 10, year=2033, origin=Origin.SYNTHETIC)
    awaiting = list(funding.pledges_awaiting_follow_up(STAFF).filter(year__gte=2033))
    assert awaiting == [older, tranches[0], later, tranches[1]]


def test_page_selectors_take_constant_queries(japan, peru):
    def run(n):
        for i in range(n):
            _flow(japan, peru, FlowStatus.PLEDGE, 10 + i, year=2035)
            _flow(japan, peru, amount=100 + i, year=2035, reported_by=ReportedBy.RECIPIENT)
            _need(peru, 100, 2035, 2036)
        counts = []
        for call in (
            lambda: funding.received_by_year_pillar(peru, STAFF),
            lambda: funding.provided_by_year_pillar(japan, STAFF),
            lambda: funding.state_coverage(peru, STAFF),
            lambda: funding.triangulation_mismatches(STAFF),
            lambda: list(funding.pledges_awaiting_follow_up(STAFF)),
            lambda: funding.totals_against_published(),
        ):
            with CaptureQueriesContext(connection) as ctx:
                call()
            counts.append(len(ctx))
        return counts

    assert run(1) == run(6)
