"""Every reason a match gives is true of the need and the offer it describes.

A property test: Hypothesis draws needs and offers (types, amounts, ranges), the pair is
scored, and each type and size sentence is checked against the records it speaks of: a type
said to be offered is in the offer's types, an amount said to be within range lies in it, and
a component that says the pair misses gives no points. No database: the records are built in
memory with their relations cached, as the pages pass them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from minefree.assistance import matching as m
from minefree.assistance.matching import score_pair
from minefree.assistance.models import AssistanceType, Need, Offer
from minefree.registry.models import Actor

TYPES = list(AssistanceType.values)
STATE = Actor(pk=1, name_en="Peru", iso3="PER", region="Americas")
DONOR = Actor(pk=2, name_en="Belgium", iso3="BEL", region="Europe")
amounts = st.one_of(st.none(), st.integers(min_value=0, max_value=10_000_000).map(Decimal))


def need_of(assistance_type: str, amount: Decimal | None) -> Need:
    return Need(
        pk=1,
        state=STATE,
        title="Need",
        pillar="survey_clearance",
        assistance_type=assistance_type,
        amount_usd=amount,
        year_from=2026,
        year_to=2027,
        languages=["es"],
    )


def offer_of(types: list[str], low: Decimal | None, high: Decimal | None) -> Offer:
    offer = Offer(
        pk=1,
        provider=DONOR,
        title="Offer",
        assistance_types=types,
        pillars=["survey_clearance"],
        amount_min_usd=low,
        amount_max_usd=high,
        year_from=2026,
        year_to=2028,
        languages=["es"],
    )
    offer._prefetched_objects_cache = {"priority_states": []}  # type: ignore[attr-defined]
    return offer


def reason(need: Need, offer: Offer, component: str) -> m.Reason:
    with translation.override("en"):
        return next(r for r in score_pair(need, offer).reasons if r.component == component)


@settings(max_examples=300, deadline=None)
@given(
    need_type=st.sampled_from(TYPES),
    offered=st.lists(st.sampled_from(TYPES), min_size=1, max_size=4, unique=True),
)
def test_the_type_reason_agrees_with_the_types_offered(need_type: str, offered: list[str]) -> None:
    got = reason(need_of(need_type, None), offer_of(offered, None, None), "type")
    funding = AssistanceType.FINANCIAL in offered
    if "the type of help needed" in got.detail:
        assert need_type in offered
        assert got.points == m.WEIGHT_TYPE
    elif "offers funding that can pay for it" in got.detail:
        assert need_type not in offered and funding
        assert need_type != AssistanceType.FINANCIAL
        assert got.points == m.WEIGHT_TYPE_VIA_FUNDING
    else:
        assert got.detail.startswith(("offers neither", "offers no funding")), got.detail
        assert need_type not in offered
        assert not funding or need_type == AssistanceType.FINANCIAL
        assert got.points == 0


@settings(max_examples=400, deadline=None)
@given(amount=amounts, low=amounts, high=amounts)
@example(amount=Decimal(300), low=None, high=Decimal(299))  # 99.7 %: not "about 100%"
def test_the_size_reason_agrees_with_the_amount_and_the_range(
    amount: Decimal | None, low: Decimal | None, high: Decimal | None
) -> None:
    if low is not None and high is not None and low > high:
        low, high = high, low
    got = reason(need_of("financial", amount), offer_of(["financial"], low, high), "size")
    ranged = low is not None or high is not None
    above = amount is not None and high is not None and amount > high
    below = amount is not None and low is not None and amount < low
    if got.detail == "amount within range":
        assert amount is not None and ranged and not above and not below
        assert got.points == m.WEIGHT_SIZE
    elif got.detail.startswith("the amount is below the offer's minimum"):
        assert below
        assert got.points == 0
    elif got.detail.startswith("covers about"):
        assert above and not below
        assert amount is not None and high is not None
        percent = int(re.search(r"(\d+)%", got.detail).group(1))  # type: ignore[union-attr]
        assert percent >= 1 and abs(percent - float(high / amount) * 100) <= 1
        assert 0 < got.points < m.WEIGHT_SIZE
    elif got.detail.startswith("the offer's maximum covers less than 1%"):
        assert above and high is not None and amount is not None
        assert float(high / amount) < 0.005
        assert got.points < 0.01 * m.WEIGHT_SIZE
    elif got.detail == "the need states no amount":
        assert amount is None and ranged
    elif got.detail == "the offer states no amount range":
        assert amount is not None and not ranged
    else:
        assert got.detail == "in kind: no amount on either side"
        assert amount is None and not ranged


def test_an_offer_of_expertise_and_money_is_not_praised_for_funding_a_training_need() -> None:
    """The reported case: the reason names what the need asks for, never just 'funding'."""
    need = need_of("training", None)
    offer = offer_of(["expertise", "financial", "equipment"], None, None)
    got = reason(need, offer, "type")
    assert got.detail == "does not offer training, but offers funding that can pay for it"
    assert got.points == m.WEIGHT_TYPE_VIA_FUNDING


def test_an_amount_below_the_minimum_scores_nothing_on_size() -> None:
    got = reason(
        need_of("financial", Decimal(10_000)),
        offer_of(["financial"], Decimal(12_000), Decimal(221_000)),
        "size",
    )
    assert got.points == 0
    assert got.detail == "the amount is below the offer's minimum: no points"
