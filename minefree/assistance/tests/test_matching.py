"""Matching: each component of the score, the reasons, exclusions, visibility, query counts.

The vectorised score matrix is checked against ``reference_score`` below, a plain per-pair
computation written from the weights alone.
"""

from __future__ import annotations

import io
import random
import re
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.assistance import matching as m
from minefree.assistance.matching import (
    Reason,
    needs_for_offer,
    offers_for_need,
    score_matrix,
    score_pair,
    suggestions,
)
from minefree.assistance.models import Need, Offer, Partnership
from minefree.assistance.selectors import Reader
from minefree.core.models import Origin, Visibility
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

ANONYMOUS = Reader()
COMMITTEE = Reader(committee=True, states_parties=True)
STAFF = Reader(staff=True, committee=True, states_parties=True)
THIS_YEAR = __import__("datetime").date.today().year


def actor(code: str) -> Actor:
    return Actor.objects.get(iso3=code) if len(code) == 3 else Actor.objects.get(slug=code)


def make_need(state: str = "PER", **extra: Any) -> Need:
    fields: dict[str, Any] = {
        "pillar": "survey_clearance",
        "assistance_type": "expertise",
        "title": "Advisers on survey",
        "year_from": THIS_YEAR,
        "year_to": THIS_YEAR + 1,
        "languages": ["es"],
    }
    fields.update(extra)
    if fields.get("amount_usd") is not None:
        fields.setdefault("amount", fields["amount_usd"])
        fields.setdefault("currency", "USD")
    return Need.objects.create(state=actor(state), **fields)


def make_offer(provider: str = "JPN", states: tuple[str, ...] = (), **extra: Any) -> Offer:
    fields: dict[str, Any] = {
        "title": "Support",
        "assistance_types": ["expertise"],
        "pillars": ["survey_clearance"],
        "year_from": THIS_YEAR,
        "year_to": THIS_YEAR + 2,
        "languages": ["es"],
    }
    fields.update(extra)
    offer = Offer.objects.create(provider=actor(provider), **fields)
    offer.priority_states.set([actor(c) for c in states])
    return offer


def points(need: Need, offer: Offer, component: str, **kwargs: Any) -> float:
    match = score_pair(need, offer, **kwargs)
    found = [r.points for r in match.reasons if r.component == component]
    return found[0] if found else 0.0


def detail(need: Need, offer: Offer, component: str) -> str:
    return next(r.detail for r in score_pair(need, offer).reasons if r.component == component)


# --- each component can fail ----------------------------------------------------------------


def test_type_an_offer_of_the_needed_kind_scores_higher() -> None:
    need = make_need()
    right = make_offer(assistance_types=["expertise"])
    wrong = make_offer(assistance_types=["equipment"])
    money = make_offer(assistance_types=["financial"])
    assert points(need, right, "type") == m.WEIGHT_TYPE
    assert points(need, wrong, "type") == 0
    assert 0 < points(need, money, "type") < m.WEIGHT_TYPE  # money can pay for advisers
    assert detail(need, right, "type") == "offers technical expertise, the type of help needed"
    assert detail(need, wrong, "type") == "offers neither technical expertise nor funding"


def test_pillar_mismatch_scores_lower() -> None:
    need = make_need()
    same = make_offer(pillars=["survey_clearance", "risk_education"])
    other = make_offer(pillars=["victim_assistance"])
    assert points(need, same, "pillar") == m.WEIGHT_PILLAR
    assert points(need, other, "pillar") == 0
    assert score_pair(need, same).score > score_pair(need, other).score


def test_geography_priority_state_then_region_then_open_then_elsewhere() -> None:
    need = make_need("PER")
    by_state = make_offer(states=("PER",))
    by_region = make_offer(priority_regions=["Americas"])
    by_subregion = make_offer(priority_regions=["Latin America and the Caribbean"])
    open_to_all = make_offer()
    elsewhere = make_offer(states=("KHM",), priority_regions=["Asia"])
    got = [points(need, o, "geography") for o in (by_state, by_region, open_to_all, elsewhere)]
    assert got == sorted(got, reverse=True) and len(set(got)) == 4
    assert points(need, by_subregion, "geography") == m.WEIGHT_GEOGRAPHY_REGION
    assert detail(need, by_state, "geography") == "Peru is a priority state"
    assert detail(need, by_region, "geography") == "Americas is a priority region"
    assert points(need, elsewhere, "geography") == 0


def test_language_shared_beats_unstated_beats_different() -> None:
    need = make_need(languages=["es"])
    shared = make_offer(languages=["en", "es"])
    unstated = make_offer(languages=[])
    different = make_offer(languages=["fr"])
    got = [points(need, o, "language") for o in (shared, unstated, different)]
    assert got == [m.WEIGHT_LANGUAGE, m.WEIGHT_LANGUAGE_UNKNOWN, 0]
    assert detail(need, shared, "language") == "both work in Spanish"


def test_size_within_range_beats_outside_and_in_kind_is_not_penalised() -> None:
    big = make_need(assistance_type="financial", amount_usd=Decimal(2_000_000))
    within = make_offer(amount_min_usd=Decimal(100_000), amount_max_usd=Decimal(5_000_000))
    too_small = make_offer(amount_min_usd=Decimal(10_000), amount_max_usd=Decimal(500_000))
    assert points(big, within, "size") == m.WEIGHT_SIZE
    assert points(big, too_small, "size") == pytest.approx(m.WEIGHT_SIZE * 0.25, abs=0.01)
    assert detail(big, within, "size") == "amount within range"
    assert detail(big, too_small, "size") == "covers about 25% of the amount"
    in_kind_need = make_need()
    in_kind_offer = make_offer(assistance_types=["equipment", "expertise"])
    assert points(in_kind_need, in_kind_offer, "size") == m.WEIGHT_SIZE
    assert points(in_kind_need, within, "size") > 0
    assert points(big, in_kind_offer, "size") > 0


def test_timing_full_overlap_beats_partial_beats_none() -> None:
    need = make_need(year_from=THIS_YEAR, year_to=THIS_YEAR + 1)
    full = make_offer(year_from=THIS_YEAR - 1, year_to=THIS_YEAR + 3)
    partial = make_offer(year_from=THIS_YEAR + 1, year_to=THIS_YEAR + 3)
    none = make_offer(year_from=THIS_YEAR + 2, year_to=THIS_YEAR + 4)
    got = [points(need, o, "timing") for o in (full, partial, none)]
    assert got == [m.WEIGHT_TIMING, m.WEIGHT_TIMING / 2, 0]
    assert detail(need, full, "timing") == f"periods overlap {THIS_YEAR}–{THIS_YEAR + 1}"
    assert detail(need, none, "timing") == "periods do not overlap"


def test_past_partnership_with_the_state_adds_points() -> None:
    need = make_need("PER")
    offer = make_offer("JPN")
    japan, peru = actor("JPN"), actor("PER")
    assert points(need, offer, "past_partnership") == 0
    with_past = score_pair(need, offer, past_pairs={(japan.pk, peru.pk)})
    assert with_past.score == pytest.approx(score_pair(need, offer).score + 1.0)
    reason = next(r for r in with_past.reasons if r.component == "past_partnership")
    assert reason.detail == "partnered with Peru before"


def test_past_partnership_is_read_from_the_partnerships_in_one_query() -> None:
    old_need = make_need("PER", title="old")
    old_offer = make_offer("JPN")
    Partnership.objects.create(need=old_need, offer=old_offer, score=1.0)
    need = make_need("PER")
    offer = make_offer("JPN")
    matches = offers_for_need(need, STAFF)
    best = next(x for x in matches if x.offer_id == offer.pk)
    assert "past_partnership" in {r.component for r in best.reasons}


# --- reasons, ranking, exclusions -----------------------------------------------------------


def test_the_top_matches_carry_named_reasons_adding_up_to_the_score() -> None:
    need = make_need()
    for i in range(12):
        make_offer(["JPN", "NOR", "DEU"][i % 3], states=("PER",) if i % 2 else ())
    matches = offers_for_need(need, ANONYMOUS)
    assert len(matches) == 10
    assert [x.score for x in matches] == sorted((x.score for x in matches), reverse=True)
    for match in matches:
        components = [r.component for r in match.reasons]
        assert components[:6] == list(m.COMPONENTS[:6])
        assert all(isinstance(r, Reason) and r.label and r.detail for r in match.reasons)
        assert sum(r.points for r in match.reasons) == pytest.approx(match.score, abs=0.02)


def test_expired_offers_partnered_pairs_own_needs_and_unrelated_offers_are_not_suggested() -> None:
    need = make_need("PER")
    good = make_offer("JPN")
    expired = make_offer("NOR", year_from=THIS_YEAR - 3, year_to=THIS_YEAR - 1)
    partnered = make_offer("DEU")
    Partnership.objects.create(need=need, offer=partnered, score=1.0)
    own = make_offer("PER")
    unrelated = make_offer("NOR", assistance_types=["equipment"], pillars=["victim_assistance"])
    suggested = {x.offer_id for x in offers_for_need(need, STAFF)}
    assert good.pk in suggested
    assert not suggested & {expired.pk, partnered.pk, own.pk, unrelated.pk}


def test_needs_for_an_offer_rank_the_priority_state_first() -> None:
    offer = make_offer("JPN", states=("COL",))
    peru, colombia = make_need("PER"), make_need("COL")
    ranked = [x.need_id for x in needs_for_offer(offer, ANONYMOUS)]
    assert ranked[:2] == [colombia.pk, peru.pk]


def test_suggestions_skip_needs_that_have_a_partnership() -> None:
    open_need, answered = make_need("PER"), make_need("COL")
    first = make_offer("JPN")
    make_offer("NOR")
    Partnership.objects.create(need=answered, offer=first, score=1.0)
    found = suggestions(COMMITTEE, k_per_need=3)
    assert {x.need_id for x in found} == {open_need.pk}
    assert len(found) == 2
    assert found[0].score >= found[1].score


# --- visibility -----------------------------------------------------------------------------


def test_a_committee_only_offer_is_not_suggested_to_an_anonymous_reader() -> None:
    need = make_need()
    public = make_offer("JPN")
    secret = make_offer("NOR", visibility=Visibility.COMMITTEE)
    assert {x.offer_id for x in offers_for_need(need, ANONYMOUS)} == {public.pk}
    assert {x.offer_id for x in offers_for_need(need, COMMITTEE)} == {public.pk, secret.pk}
    owner = Reader(donor_ids=frozenset({actor("NOR").pk}))
    assert secret.pk in {x.offer_id for x in offers_for_need(need, owner)}


def test_a_private_need_is_not_offered_to_other_readers() -> None:
    offer = make_offer("JPN")
    public = make_need("PER")
    private = make_need("COL", visibility=Visibility.PRIVATE)
    assert {x.need_id for x in needs_for_offer(offer, COMMITTEE)} == {public.pk}
    assert {x.need_id for x in needs_for_offer(offer, STAFF)} == {public.pk, private.pk}


def test_a_private_partnership_gives_no_past_partnership_reason_to_outsiders() -> None:
    need = make_need("PER")
    offer = make_offer("JPN")
    Partnership.objects.create(
        need=make_need("PER"), offer=make_offer("JPN"), score=1.0, visibility=Visibility.PRIVATE
    )

    def has_past(who: Reader) -> bool:
        match = next(x for x in offers_for_need(need, who) if x.offer_id == offer.pk)
        return any(r.component == "past_partnership" for r in match.reasons)

    assert not has_past(ANONYMOUS)
    assert has_past(STAFF)


# --- the vectorised matrix equals a plain per-pair computation ------------------------------


def reference_score(need: Need, offer: Offer, past: set[tuple[int, int]]) -> float:
    """The score of one pair, component by component, written from the weights alone."""
    state = need.state
    score = 0.0
    if need.assistance_type in offer.assistance_types:
        score += m.WEIGHT_TYPE
    elif "financial" in offer.assistance_types and need.assistance_type != "financial":
        score += m.WEIGHT_TYPE_VIA_FUNDING
    if need.pillar in offer.pillars:
        score += m.WEIGHT_PILLAR
    priority_ids = {a.pk for a in offer.priority_states.all()}
    regions = {r.casefold() for r in offer.priority_regions}
    if state.pk in priority_ids:
        score += m.WEIGHT_GEOGRAPHY_STATE
    elif state.region.casefold() in regions or (
        state.subregion and state.subregion.casefold() in regions
    ):
        score += m.WEIGHT_GEOGRAPHY_REGION
    elif not priority_ids and not regions:
        score += m.WEIGHT_GEOGRAPHY_OPEN
    if set(need.languages) & set(offer.languages):
        score += m.WEIGHT_LANGUAGE
    elif not need.languages or not offer.languages:
        score += m.WEIGHT_LANGUAGE_UNKNOWN
    has_range = offer.amount_min_usd is not None or offer.amount_max_usd is not None
    if need.amount_usd is None:
        score += m.WEIGHT_SIZE if not has_range else m.WEIGHT_SIZE_UNKNOWN
    elif not has_range:
        score += m.WEIGHT_SIZE_UNKNOWN
    else:
        amount = float(need.amount_usd)
        low = float(offer.amount_min_usd or 0)
        high = float(offer.amount_max_usd) if offer.amount_max_usd is not None else float("inf")
        if amount > high:
            score += m.WEIGHT_SIZE * high / amount
        elif amount < low:
            pass  # below the offer's minimum: no points
        else:
            score += m.WEIGHT_SIZE
    overlap = min(need.year_to, offer.year_to) - max(need.year_from, offer.year_from) + 1
    score += m.WEIGHT_TIMING * max(overlap, 0) / (need.year_to - need.year_from + 1)
    if (offer.provider_id, need.state_id) in past:
        score += m.WEIGHT_PAST_PARTNERSHIP
    return score


def random_set(seed: int) -> tuple[list[Need], list[Offer], set[tuple[int, int]]]:
    rng = random.Random(seed)
    states = ["PER", "COL", "KHM", "AFG", "UKR", "SEN", "AGO", "BIH"]
    providers = ["JPN", "NOR", "DEU", "USA", "unmas", "halo-trust", "PER"]
    types = ["financial", "equipment", "expertise", "personnel", "training", "exchange"]
    pillars = ["survey_clearance", "risk_education", "victim_assistance", "capacity_building"]
    languages = ["en", "es", "fr", "pt", "ar"]
    regions = ["Americas", "Africa", "Asia", "Europe", "Sub-Saharan Africa", "Southern Europe"]
    needs = []
    for _ in range(30):
        start = THIS_YEAR + rng.randint(-2, 2)
        amount = rng.choice([None, Decimal(rng.randint(0, 5_000_000))])
        needs.append(
            make_need(
                rng.choice(states),
                pillar=rng.choice(pillars),
                assistance_type=rng.choice(types),
                year_from=start,
                year_to=start + rng.randint(0, 3),
                languages=rng.sample(languages, rng.randint(0, 2)),
                amount_usd=amount,
            )
        )
    offers = []
    for _ in range(25):
        start = THIS_YEAR + rng.randint(-3, 1)
        low = rng.choice([None, Decimal(rng.randint(0, 500_000))])
        high = rng.choice([None, Decimal(rng.randint(500_000, 3_000_000))])
        offers.append(
            make_offer(
                rng.choice(providers),
                states=tuple(rng.sample(states, rng.randint(0, 2))),
                assistance_types=rng.sample(types, rng.randint(1, 3)),
                pillars=rng.sample(pillars, rng.randint(1, 2)),
                priority_regions=rng.sample(regions, rng.choice([0, 0, 1])),
                languages=rng.sample(languages, rng.randint(0, 2)),
                amount_min_usd=low,
                amount_max_usd=high,
                year_from=start,
                year_to=start + rng.randint(0, 3),
            )
        )
    past = {(actor(rng.choice(providers)).pk, actor(rng.choice(states)).pk) for _ in range(6)}
    needs = list(Need.objects.select_related("state").filter(pk__in=[n.pk for n in needs]))
    offers = list(
        Offer.objects.prefetch_related("priority_states").filter(pk__in=[o.pk for o in offers])
    )
    return needs, offers, past


@pytest.mark.parametrize("seed", [1, 2])
def test_the_vectorised_matrix_equals_the_per_pair_reference(seed: int) -> None:
    needs, offers, past = random_set(seed)
    raw = score_matrix(needs, offers, past_pairs=past, exclude=False)
    expected = np.array([[reference_score(n, o, past) for o in offers] for n in needs])
    assert np.allclose(raw.scores, expected, atol=1e-3)
    # the reasons of any pair add up to its score
    pairs = raw.matches(np.arange(len(needs)), np.arange(len(needs)) % len(offers))
    for match in pairs:
        assert sum(r.points for r in match.reasons) == pytest.approx(match.score, abs=0.02)
    # exclusions only remove pairs, and never change the others' scores
    table = score_matrix(needs, offers, past_pairs=past)
    kept = np.isfinite(table.scores)
    assert np.allclose(table.scores[kept], expected[kept], atol=1e-3)
    for i, need in enumerate(needs):
        for j, offer in enumerate(offers):
            related = need.assistance_type in offer.assistance_types or need.pillar in offer.pillars
            funds = "financial" in offer.assistance_types and need.assistance_type != "financial"
            should = (
                (related or funds)
                and offer.year_to >= THIS_YEAR
                and offer.provider_id != need.state_id
            )
            assert kept[i, j] == should, (need, offer)
    # the top lists per need and per offer agree with a full sort
    for need_id, top in table.top_offers_per_need(5).items():
        row = list(table.need_ids).index(need_id)
        best = sorted(table.scores[row][kept[row]], reverse=True)[:5]
        assert [x.score for x in top] == pytest.approx(best, abs=1e-3)
        assert top == table.top_offers(need_id, 5)
    for offer_id, top in table.top_needs_per_offer(5).items():
        col = list(table.offer_ids).index(offer_id)
        best = sorted(table.scores[:, col][kept[:, col]], reverse=True)[:5]
        assert [x.score for x in top] == pytest.approx(best, abs=1e-3)


def test_empty_inputs_give_empty_tables() -> None:
    need = make_need()
    assert score_matrix([], []).top_offers_per_need() == {}
    assert score_matrix([need], []).top_offers(need.pk) == []


# --- queries --------------------------------------------------------------------------------


def test_queries_do_not_grow_with_the_candidates() -> None:
    need = Need.objects.select_related("state").get(pk=make_need().pk)
    offer = make_offer("JPN", states=("PER",))

    def counts() -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as for_need:
            offers_for_need(need, COMMITTEE)
        with CaptureQueriesContext(connection) as for_offer:
            needs_for_offer(offer, COMMITTEE)
        with CaptureQueriesContext(connection) as workspace:
            suggestions(COMMITTEE)
        return len(for_need), len(for_offer), len(workspace)

    small = counts()
    for i in range(25):
        make_need(["PER", "COL", "KHM"][i % 3], title=f"need {i}")
        make_offer(["JPN", "NOR", "DEU"][i % 3], states=("PER", "COL"))
    Partnership.objects.create(need=make_need("COL"), offer=make_offer("NOR"), score=1.0)
    assert counts() == small
    assert max(small) <= 4


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_set_is_synthetic_matched_and_loaded_once() -> None:
    out = io.StringIO()
    call_command("load_demo_cooperation", needs=40, offers=20, partnerships=3, stdout=out)
    assert "40 synthetic needs, 20 offers and 3 partnerships added" in out.getvalue()
    call_command("load_demo_cooperation", stdout=out)
    assert "nothing added" in out.getvalue()
    assert Need.objects.count() == 40 and Offer.objects.count() == 20
    assert Partnership.objects.count() == 3
    for model in (Need, Offer, Partnership):
        assert set(model.objects.values_list("origin", flat=True)) == {Origin.SYNTHETIC}
    assert suggestions(STAFF)


def test_a_demo_need_page_names_its_source_in_words_not_an_internal_key(client) -> None:
    call_command("load_demo_cooperation", needs=5, offers=3, partnerships=0, stdout=io.StringIO())
    from minefree.accounts.tests.factories import make_cast

    need = Need.objects.first()
    assert need is not None
    client.force_login(make_cast()["isu_staff"])
    html = client.get(f"/cooperation/needs/{need.pk}/").content.decode()
    assert "synthetic demo need no." in html
    assert not re.search(r"demo:\d", html)  # the old internal key, e.g. "demo:1997:0"
