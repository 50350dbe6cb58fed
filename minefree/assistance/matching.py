"""Which offers could answer a need, and which needs an offer could answer, with the reasons.

A score is the sum of seven named components (type of assistance, pillar, geography,
language, size, timing, past partnership), so the committee sees *why* a pair ranks high
and can disagree with a component instead of with an opaque number.

Scoring is vectorised: needs and offers are encoded once as numpy arrays (types, pillars,
regions and languages as bitmasks; priority states as a boolean table; amounts and years as
numbers) and every component of the whole needs × offers matrix is a handful of array
operations, the same code scoring a single pair (``_components`` takes broadcastable index
arrays). Reasons, the only per-pair Python work, are built only for the top matches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from minefree.assistance.models import AssistanceType, Need, Offer, Partnership
from minefree.assistance.selectors import Reader, visible
from minefree.registry.models import Actor
from minefree.reporting.specification.schema import PILLARS

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
B = npt.NDArray[np.bool_]
T = TypeVar("T")
_DTYPES = {"F32": np.float32, "I64": np.int64, "U64": np.uint64, "B": np.bool_}

# --- weights -------------------------------------------------------------------------------
#: The points each component gives. Type and pillar weigh most: an offer of the wrong kind of
#: help, or for another pillar, rarely fits whatever else matches. Geography and timing come
#: next (donors keep priority lists and budget periods); language, size and a past partnership
#: refine the order. An in-kind need and an offer without an amount are not penalised on size:
#: in-kind help counts as much as money.
WEIGHT_TYPE = 4.0
#: money offered for a need of another type: it could pay for that kind of help
WEIGHT_TYPE_VIA_FUNDING = 1.5
WEIGHT_PILLAR = 3.0
WEIGHT_GEOGRAPHY_STATE = 2.0
WEIGHT_GEOGRAPHY_REGION = 1.0
#: an offer without any geographic priority is open to all
WEIGHT_GEOGRAPHY_OPEN = 0.5
WEIGHT_LANGUAGE = 1.0
#: one side did not state its working languages: neither shared nor excluded
WEIGHT_LANGUAGE_UNKNOWN = 0.25
WEIGHT_SIZE = 1.5
#: only one side gives an amount: nothing to compare, half the points
WEIGHT_SIZE_UNKNOWN = 0.75
#: times the share of the need's period the offer covers
WEIGHT_TIMING = 2.0
WEIGHT_PAST_PARTNERSHIP = 1.0

COMPONENTS = ("type", "pillar", "geography", "language", "size", "timing", "past_partnership")
EXCLUDED = np.float32(-np.inf)
DEFAULT_K = 10

_TYPE_BITS = {code: 1 << i for i, code in enumerate(AssistanceType.values)}
_PILLAR_BITS = {code: 1 << i for i, (code, _label) in enumerate(PILLARS)}
_FINANCIAL = _TYPE_BITS[AssistanceType.FINANCIAL]


def component_labels() -> dict[str, str]:
    """The components' names in the active language."""
    return {
        "type": _("type of assistance"),
        "pillar": _("pillar"),
        "geography": _("geography"),
        "language": _("language"),
        "size": _("size"),
        "timing": _("timing"),
        "past_partnership": _("past partnership"),
    }


@dataclass(frozen=True)
class Reason:
    """One component of a score, as shown beside a suggestion."""

    component: str
    label: str
    points: float
    detail: str


@dataclass(frozen=True)
class Match:
    need_id: int
    offer_id: int
    score: float
    reasons: tuple[Reason, ...]

    def reasons_json(self) -> list[dict[str, Any]]:
        """The reasons as stored on a partnership."""
        return [
            {"component": r.component, "label": r.label, "points": r.points, "detail": r.detail}
            for r in self.reasons
        ]


# --- encoding --------------------------------------------------------------------------------


class _Bits:
    """Gives each distinct code a bit of a 64-bit mask.

    Past 64 distinct codes, bits are shared (a false overlap becomes possible); the
    vocabularies used here (regions, working languages) stay far below that.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def bit(self, code: str) -> int:
        i = self.index.setdefault(code, len(self.index))
        return 1 << (i % 64)

    def mask(self, codes: Iterable[str]) -> int:
        m = 0
        for code in codes:
            m |= self.bit(code)
        return m

    def known_mask(self, codes: Iterable[str]) -> int:
        """Only codes already given a bit: an unknown region cannot match any need."""
        m = 0
        for code in codes:
            if code in self.index:
                m |= 1 << (self.index[code] % 64)
        return m


def _norm(text: str) -> str:
    return text.strip().casefold()


@dataclass(frozen=True)
class _NeedArrays:
    ids: I64
    state: I64  # index into the table's states
    type_bit: U64
    pillar_bit: U64
    region_bit: U64
    subregion_bit: U64
    languages: U64
    amount: F32  # NaN: no amount (in kind)
    year_from: I64
    year_to: I64

    @classmethod
    def empty(cls, ids: list[int]) -> _NeedArrays:
        arrays = _zeros(cls, ids)
        arrays.amount[:] = np.nan
        return arrays


@dataclass(frozen=True)
class _OfferArrays:
    ids: I64
    provider: I64  # index into the table's providers
    provider_actor: I64
    types: U64
    pillars: U64
    regions: U64
    any_priority: B
    priority_states: B  # (offers, states)
    languages: U64
    has_range: B
    amount_min: F32
    amount_max: F32
    year_from: I64
    year_to: I64

    @classmethod
    def empty(cls, ids: list[int], states: int) -> _OfferArrays:
        arrays = _zeros(cls, ids, priority_states=(len(ids), max(states, 1)))
        arrays.amount_max[:] = np.inf
        return arrays


def _zeros(cls: type[T], ids: list[int], **shapes: tuple[int, ...]) -> T:
    """The arrays of ``cls`` for ``ids``, zeros of each field's type (``ids`` filled in)."""
    arrays: dict[str, Any] = {
        f.name: np.zeros(shapes.get(f.name, len(ids)), dtype=_DTYPES[str(f.type)])
        for f in fields(cls)  # type: ignore[arg-type]
    }
    arrays["ids"][:] = ids
    return cls(**arrays)


@dataclass(frozen=True)
class _Context:
    """What reasons need to name things: states, regions, languages."""

    states: list[Actor]
    region_names: dict[int, str]
    language_codes: list[str]
    language_masks: dict[str, int] = field(default_factory=dict)


def _states_of(needs: Sequence[Need]) -> dict[int, Actor]:
    """Each need's state, from the select_related cache or, for the rest, one query."""
    found: dict[int, Actor] = {}
    missing: set[int] = set()
    for need in needs:
        if Need.state.is_cached(need):
            found[need.state_id] = need.state
        else:
            missing.add(need.state_id)
    missing -= found.keys()
    if missing:
        found.update(Actor.objects.in_bulk(missing))
    return found


def _priority_state_ids(offers: Sequence[Offer]) -> dict[int, list[int]]:
    """Each offer's priority states, from the prefetch cache or, for the rest, one query."""
    result: dict[int, list[int]] = {}
    missing: list[int] = []
    for offer in offers:
        cache = getattr(offer, "_prefetched_objects_cache", {})
        if "priority_states" in cache:
            result[offer.pk] = [a.pk for a in cache["priority_states"]]
        else:
            result[offer.pk] = []
            missing.append(offer.pk)
    if missing:
        through = Offer.priority_states.through.objects.filter(offer_id__in=missing)
        for offer_id, actor_id in through.values_list("offer_id", "actor_id"):
            result[offer_id].append(actor_id)
    return result


def _encode(
    needs: Sequence[Need], offers: Sequence[Offer]
) -> tuple[_NeedArrays, _OfferArrays, _Context]:
    states = _states_of(needs)
    state_index: dict[int, int] = {}
    places, languages = _Bits(), _Bits()
    a = _NeedArrays.empty([x.pk for x in needs])
    region_names: dict[int, str] = {}
    for i, need in enumerate(needs):
        actor = states[need.state_id]
        a.state[i] = state_index.setdefault(actor.pk, len(state_index))
        a.type_bit[i] = _TYPE_BITS.get(need.assistance_type, 0)
        a.pillar_bit[i] = _PILLAR_BITS.get(need.pillar, 0)
        if actor.region:
            a.region_bit[i] = places.bit(_norm(actor.region))
            region_names[int(a.region_bit[i])] = actor.region
        if actor.subregion:
            a.subregion_bit[i] = places.bit(_norm(actor.subregion))
            region_names[int(a.subregion_bit[i])] = actor.subregion
        a.languages[i] = languages.mask(_norm(c) for c in need.languages or [])
        if need.amount_usd is not None:
            a.amount[i] = float(need.amount_usd)
        a.year_from[i], a.year_to[i] = need.year_from, need.year_to

    priorities = _priority_state_ids(offers)
    provider_index: dict[int, int] = {}
    o = _OfferArrays.empty([x.pk for x in offers], len(state_index))
    for j, offer in enumerate(offers):
        o.provider[j] = provider_index.setdefault(offer.provider_id, len(provider_index))
        o.provider_actor[j] = offer.provider_id
        o.types[j] = sum({_TYPE_BITS.get(c, 0) for c in offer.assistance_types or []})
        o.pillars[j] = sum({_PILLAR_BITS.get(c, 0) for c in offer.pillars or []})
        o.regions[j] = places.known_mask(_norm(r) for r in offer.priority_regions or [])
        prio = priorities.get(offer.pk, [])
        o.any_priority[j] = bool(prio or offer.priority_regions)
        for actor_id in prio:
            if actor_id in state_index:
                o.priority_states[j, state_index[actor_id]] = True
        o.languages[j] = languages.mask(_norm(c) for c in offer.languages or [])
        if offer.amount_min_usd is not None:
            o.amount_min[j] = float(offer.amount_min_usd)
            o.has_range[j] = True
        if offer.amount_max_usd is not None:
            o.amount_max[j] = float(offer.amount_max_usd)
            o.has_range[j] = True
        o.year_from[j], o.year_to[j] = offer.year_from, offer.year_to

    by_index = {i: states[actor_id] for actor_id, i in state_index.items()}
    context = _Context(
        states=[by_index[i] for i in range(len(by_index))],
        region_names=region_names,
        language_codes=list(languages.index),
        language_masks={code: languages.bit(code) for code in list(languages.index)},
    )
    return a, o, context


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    """Component points and the case behind each, for broadcast need/offer indices."""

    points: dict[str, F32]
    #: which branch each value came from, to word the reason (0: the component missed)
    cases: dict[str, npt.NDArray[np.int8]]
    overlap_from: I64
    overlap_to: I64
    coverage: F32


W = np.float32
ZERO = np.uint64(0)


def _type_pillar(need: _NeedArrays, offer: _OfferArrays, ni: I64, oi: I64) -> tuple[Any, ...]:
    n_type, o_types = need.type_bit[ni], offer.types[oi]
    direct = (n_type & o_types) != ZERO
    funds = ((o_types & np.uint64(_FINANCIAL)) != ZERO) & (n_type != np.uint64(_FINANCIAL))
    type_case = np.where(direct, 1, np.where(funds, 2, 0))
    type_points = np.where(
        direct, W(WEIGHT_TYPE), np.where(funds, W(WEIGHT_TYPE_VIA_FUNDING), W(0))
    )
    pillar_hit = (need.pillar_bit[ni] & offer.pillars[oi]) != ZERO
    return type_points, np.where(pillar_hit, W(WEIGHT_PILLAR), W(0)), type_case, pillar_hit


def _geography_past(
    need: _NeedArrays, offer: _OfferArrays, past: B, ni: I64, oi: I64
) -> tuple[Any, ...]:
    o_regions = offer.regions[oi]
    in_state = offer.priority_states[oi, need.state[ni]]
    in_region = (need.region_bit[ni] & o_regions) != ZERO
    in_subregion = (need.subregion_bit[ni] & o_regions) != ZERO
    open_to_all = ~offer.any_priority[oi]
    case = np.where(
        in_state,
        1,
        np.where(in_region, 2, np.where(in_subregion, 3, np.where(open_to_all, 4, 0))),
    )
    table = np.array(
        [
            0,
            WEIGHT_GEOGRAPHY_STATE,
            WEIGHT_GEOGRAPHY_REGION,
            WEIGHT_GEOGRAPHY_REGION,
            WEIGHT_GEOGRAPHY_OPEN,
        ],
        dtype=np.float32,
    )
    partnered = past[offer.provider[oi], need.state[ni]]
    return table[case], np.where(partnered, W(WEIGHT_PAST_PARTNERSHIP), W(0)), case, partnered


def _language(need: _NeedArrays, offer: _OfferArrays, ni: I64, oi: I64) -> tuple[Any, ...]:
    n_lang, o_lang = need.languages[ni], offer.languages[oi]
    shared = (n_lang & o_lang) != ZERO
    unknown = (n_lang == ZERO) | (o_lang == ZERO)
    case = np.where(shared, 1, np.where(unknown, 2, 0))
    table = np.array([0, WEIGHT_LANGUAGE, WEIGHT_LANGUAGE_UNKNOWN], dtype=np.float32)
    return table[case], case


def _size(
    need: _NeedArrays, offer: _OfferArrays, ni: I64, oi: I64, *, cases: bool = False
) -> tuple[F32, F32, Any]:
    """Within the offer's range: full points; above it: the share the maximum covers; below
    the offer's minimum: none (the donor does not fund anything that small); unknown: neutral.

    ``coverage`` is min(1, max/amount), 0 below the minimum: below 1 only when the amount
    lies outside the range (``fmin`` skips the NaN of in-kind needs and of 0/0).
    """
    amount = need.amount[ni]
    lo, hi, has_range = offer.amount_min[oi], offer.amount_max[oi], offer.has_range[oi]
    no_amount = np.isnan(amount)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(amount < lo, W(0), np.fmin(hi / amount, W(1))).astype(np.float32)
    unknown = np.where(
        no_amount, np.where(has_range, W(WEIGHT_SIZE_UNKNOWN), W(WEIGHT_SIZE)), W(0)
    ) + np.where(~has_range & ~no_amount, W(WEIGHT_SIZE_UNKNOWN), W(0))
    points = np.where(no_amount | ~has_range, unknown, W(WEIGHT_SIZE) * coverage)
    if not cases:
        return points, coverage, None
    case = np.select(
        [no_amount & ~has_range, no_amount, ~has_range, amount > hi, amount < lo],
        [1, 2, 3, 4, 5],
        default=0,
    )
    return points, coverage, case


def _timing(need: _NeedArrays, offer: _OfferArrays, ni: I64, oi: I64) -> tuple[Any, ...]:
    start = np.maximum(need.year_from[ni], offer.year_from[oi])
    end = np.minimum(need.year_to[ni], offer.year_to[oi])
    span = need.year_to[ni] - need.year_from[ni] + 1
    points = (W(WEIGHT_TIMING) * np.clip(end - start + 1, 0, None) / span).astype(np.float32)
    return points, end >= start, start, end


def _components(
    need: _NeedArrays, offer: _OfferArrays, past: B, ni: I64, oi: I64, *, cases: bool = False
) -> _Parts:
    """Every component for the need indices ``ni`` and offer indices ``oi`` (broadcast).

    ``ni`` of shape (N, 1) and ``oi`` of shape (1, O) give a matrix; two 1-D arrays give
    chosen pairs. The full matrix is assembled from the same functions in ``_full_scores``.
    """
    type_points, pillar_points, type_case, pillar_hit = _type_pillar(need, offer, ni, oi)
    geography, past_points, geo_case, partnered = _geography_past(need, offer, past, ni, oi)
    language, language_case = _language(need, offer, ni, oi)
    size, coverage, size_case = _size(need, offer, ni, oi, cases=cases)
    timing, overlaps, start, end = _timing(need, offer, ni, oi)
    points = {
        "type": type_points,
        "pillar": pillar_points,
        "geography": geography,
        "language": language,
        "size": size,
        "timing": timing,
        "past_partnership": past_points,
    }
    if not cases:
        return _Parts(points, {}, start, end, coverage)
    i8 = np.int8
    case = {
        "type": type_case.astype(i8),
        "pillar": pillar_hit.astype(i8),
        "geography": geo_case.astype(i8),
        "language": language_case.astype(i8),
        "size": size_case.astype(i8),
        "timing": overlaps.astype(i8),
        "past_partnership": partnered.astype(i8),
    }
    return _Parts(points, case, start, end, coverage)


def _full_scores(
    need: _NeedArrays,
    offer: _OfferArrays,
    past: B,
    state_actor: I64,
    *,
    year: int | None,
) -> F32:
    """The (needs, offers) score matrix with few operations on the full matrix.

    Every component but size depends on one property of the need only (its type and
    pillar, its state, its languages, its period), so it is computed for the distinct
    values of that property and spread to the needs by a row gather; size, which depends
    on the amount, is computed on the full matrix. With ``year``, pairs never to suggest
    are set to ``-inf`` in the small tables, so the sum carries it.
    """
    oi = np.arange(len(offer.ids), dtype=np.int64)[None, :]

    def table(key: npt.NDArray[Any]) -> tuple[I64, I64]:
        _values, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return first.astype(np.int64)[:, None], inverse.reshape(-1)

    reps, spread = table((need.type_bit << np.uint64(16)) | need.pillar_bit)
    type_points, pillar_points, _c, _h = _type_pillar(need, offer, reps, oi)
    kind = type_points + pillar_points
    if year is not None:
        kind[kind <= 0] = EXCLUDED  # neither the type nor the pillar: not a match
        kind[:, offer.year_to < year] = EXCLUDED  # the offer has ended
    scores = kind[spread]

    reps, spread = table(need.state)
    geography, past_points, _c, _h = _geography_past(need, offer, past, reps, oi)
    place = geography + past_points
    if year is not None:  # a provider's own needs
        place[state_actor[need.state[reps[:, 0]]][:, None] == offer.provider_actor[None, :]] = (
            EXCLUDED
        )
    scores += place[spread]

    reps, spread = table(need.languages)
    scores += _language(need, offer, reps, oi)[0][spread]

    reps, spread = table(need.year_from * 10_000 + need.year_to)
    scores += _timing(need, offer, reps, oi)[0][spread]

    scores += _size(need, offer, np.arange(len(need.ids), dtype=np.int64)[:, None], oi)[0]
    return np.asarray(scores, dtype=np.float32)


class MatchTable:
    """The score of every need × offer pair; reasons are built on demand for chosen pairs."""

    def __init__(
        self,
        needs: _NeedArrays,
        offers: _OfferArrays,
        context: _Context,
        past: B,
        scores: F32,
        need_types: list[str],
        need_pillars: list[str],
    ) -> None:
        self._needs, self._offers, self._context, self._past = needs, offers, context, past
        self.scores = scores
        self.need_ids, self.offer_ids = needs.ids, offers.ids
        self._need_row = {int(pk): i for i, pk in enumerate(needs.ids)}
        self._offer_col = {int(pk): j for j, pk in enumerate(offers.ids)}
        self._need_types, self._need_pillars = need_types, need_pillars

    def score(self, need_id: int, offer_id: int) -> float | None:
        """The pair's score; ``None`` when the pair is excluded from suggestions."""
        value = self.scores[self._need_row[need_id], self._offer_col[offer_id]]
        return None if np.isneginf(value) else round(float(value), 3)

    def top_offers(self, need_id: int, k: int = DEFAULT_K) -> list[Match]:
        row = self._need_row.get(need_id)
        if row is None:
            return []
        cols = _top(self.scores[row], k)
        return self.matches(np.full(len(cols), row, dtype=np.int64), cols)

    def top_needs(self, offer_id: int, k: int = DEFAULT_K) -> list[Match]:
        col = self._offer_col.get(offer_id)
        if col is None:
            return []
        rows = _top(self.scores[:, col], k)
        return self.matches(rows, np.full(len(rows), col, dtype=np.int64))

    def top_offers_per_need(self, k: int = DEFAULT_K) -> dict[int, list[Match]]:
        """The best ``k`` offers of every need at once (one argpartition over the matrix)."""
        rows, cols = _top_per_row(self.scores, k)
        return _group(rows, self.matches(rows, cols), self.need_ids)

    def top_needs_per_offer(self, k: int = DEFAULT_K) -> dict[int, list[Match]]:
        cols, rows = _top_per_row(np.ascontiguousarray(self.scores.T), k)
        return _group(cols, self.matches(rows, cols), self.offer_ids)

    def matches(self, rows: I64, cols: I64) -> list[Match]:
        """Matches with their reasons for the pairs (rows[i], cols[i]), in that order."""
        if len(rows) == 0:
            return []
        parts = _components(self._needs, self._offers, self._past, rows, cols, cases=True)
        return _build_matches(self, parts, rows, cols)


def _top(values: F32, k: int) -> I64:
    """Indices of the ``k`` highest finite values, best first (ties: lowest index first)."""
    k = min(k, len(values))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(-values, k - 1)[:k] if k < len(values) else np.arange(len(values))
    idx = idx[np.isfinite(values[idx])]
    order = np.lexsort((idx, -values[idx]))
    return idx[order].astype(np.int64)


def _top_per_row(scores: F32, k: int) -> tuple[I64, I64]:
    """(row, col) of the ``k`` best finite values of each row, rows in order, best first."""
    n, m = scores.shape
    k = min(k, m)
    if n == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if k < m:
        # sorted, so that ties keep the lower index first through the stable sort below
        cols = np.sort(np.argpartition(-scores, k - 1, axis=1)[:, :k], axis=1)
    else:
        cols = np.broadcast_to(np.arange(m), (n, m))
    values = np.take_along_axis(scores, cols, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    cols = np.take_along_axis(cols, order, axis=1)
    values = np.take_along_axis(values, order, axis=1)
    rows = np.repeat(np.arange(n, dtype=np.int64), k).reshape(n, k)
    keep = np.isfinite(values)
    return rows[keep], cols[keep].astype(np.int64)


def _group(keys: I64, matches: list[Match], ids: I64) -> dict[int, list[Match]]:
    """Split matches listed key by key (as ``_top_per_row`` gives them) into lists per id."""
    if not matches:
        return {}
    values, starts = np.unique(keys, return_index=True)
    ends = [*starts[1:].tolist(), len(matches)]
    return {
        int(ids[v]): matches[s:e]
        for v, s, e in zip(values.tolist(), starts.tolist(), ends, strict=True)
    }


def _language_names(codes: Sequence[str]) -> str:
    names = []
    for code in codes:
        try:
            names.append(str(get_language_info(code)["name_translated"]))
        except KeyError:
            names.append(code)
    return ", ".join(names)


def _i64(x: Any) -> I64:
    return np.asarray(x).astype(np.int64)


def _bit_index(bits: U64) -> I64:
    """0 for no bit, else 1 + the position of the (single) bit set."""
    with np.errstate(divide="ignore"):
        position = np.log2(bits.astype(np.float64))
    return np.where(bits == ZERO, 0, position + 1).astype(np.int64)


def _reason_keys(table: MatchTable, parts: _Parts, rows: I64, cols: I64) -> dict[str, I64]:
    """Per pair and component, one integer standing for its reason's wording and points.

    Packed in mixed radix from small fields (cases < 8, points in hundredths < 1000,
    years < 10000, indices < 2**20), so that one 1-D ``np.unique`` groups equal reasons.
    """
    needs, offers = table._needs, table._offers
    case = {c: _i64(parts.cases[c]) for c in COMPONENTS}
    cents = {c: _i64(np.round(parts.points[c].astype(np.float64) * 100)) for c in COMPONENTS}
    state = needs.state[rows] + 1
    geo = case["geography"]
    region = np.where(
        geo == 2,
        _bit_index(needs.region_bit[rows]),
        np.where(geo == 3, _bit_index(needs.subregion_bit[rows]), 0),
    )
    shared = np.where(case["language"] == 1, needs.languages[rows] & offers.languages[cols], ZERO)
    _masks, shared_index = np.unique(shared, return_inverse=True)
    overlap = case["timing"] == 1
    percent = np.where(
        case["size"] == 4, np.minimum(np.round(parts.coverage.astype(np.float64) * 100), 99), 0
    )
    past = case["past_partnership"]
    return {
        "type": case["type"] << 8 | _bit_index(needs.type_bit[rows]),
        "pillar": case["pillar"] << 8 | _bit_index(needs.pillar_bit[rows]),
        "geography": (geo << 20 | np.where(geo <= 1, state, 0)) << 7 | region,
        "language": case["language"] << 32 | _i64(shared_index.reshape(-1)),
        "size": (case["size"] * 1000 + cents["size"]) * 1000 + _i64(percent),
        "timing": (
            (case["timing"] * 1000 + cents["timing"]) * 10_000 + parts.overlap_from * overlap
        )
        * 10_000
        + parts.overlap_to * overlap,
        "past_partnership": past << 20 | state * past,
    }


def _build_matches(table: MatchTable, parts: _Parts, rows: I64, cols: I64) -> list[Match]:
    """Word each chosen pair's components: each distinct reason is worded once.

    The reasons of thousands of matches repeat (the same type, state, overlap...): the
    integers deciding each reason are grouped with ``np.unique`` and only the groups are
    worded in Python.
    """
    labels = component_labels()
    needs = table._needs
    keys = _reason_keys(table, parts, rows, cols)
    columns: list[npt.NDArray[np.object_]] = []
    past_column: npt.NDArray[np.object_] | None = None
    for component in COMPONENTS:
        _values, first, inverse = np.unique(keys[component], return_index=True, return_inverse=True)
        worded = np.empty(len(first), dtype=object)
        for u, p in enumerate(first.tolist()):
            case = int(parts.cases[component][p])
            points = round(float(parts.points[component][p]), 2)
            if component == "size" and case == 4:  # part of the amount is never full points
                points = min(points, WEIGHT_SIZE - 0.01)
            detail = _detail(table, component, case, p, int(rows[p]), int(cols[p]), parts)
            worded[u] = Reason(component, labels[component], points, detail)
        column = worded[inverse.reshape(-1)]
        if component == "past_partnership":
            past_column = column
        else:
            columns.append(column)
    reasons = list(zip(*columns, strict=True))
    for p in np.flatnonzero(parts.cases["past_partnership"]).tolist():
        assert past_column is not None
        reasons[p] = (*reasons[p], past_column[p])
    total = np.zeros(len(rows))
    for c in COMPONENTS:
        total += parts.points[c]
    return [
        Match(n, o, s, r)
        for n, o, s, r in zip(
            needs.ids[rows].tolist(),
            table._offers.ids[cols].tolist(),
            np.round(total, 3).tolist(),
            reasons,
            strict=True,
        )
    ]


def _detail(
    table: MatchTable,
    component: str,
    case: int,
    p: int,
    row: int,
    col: int,
    parts: _Parts,
) -> str:
    """The short explanation of one component of pair ``p`` (need row ``row``)."""
    ctx = table._context
    state = ctx.states[int(table._needs.state[row])]
    if component == "type":
        need_type = table._need_types[row]
        if need_type == AssistanceType.FINANCIAL:
            return _("offers funding, the type of help needed") if case else _("offers no funding")
        name = str(dict(AssistanceType.choices).get(need_type, need_type))
        template = (
            _("offers neither %(type)s nor funding"),
            _("offers %(type)s, the type of help needed"),
            _("does not offer %(type)s, but offers funding that can pay for it"),
        )[case]
        return template % {"type": name}
    if component == "pillar":
        name = str(dict(PILLARS).get(table._need_pillars[row], ""))
        template = _("covers %(pillar)s") if case else _("does not cover %(pillar)s")
        return template % {"pillar": name}
    if component == "geography":
        needs = table._needs
        bit = needs.region_bit[row] if case == 2 else needs.subregion_bit[row]
        return _geography_detail(case, state, ctx.region_names.get(int(bit), ""))
    if component == "language":
        shared = int(table._needs.languages[row] & table._offers.languages[col])
        return _language_detail(case, shared, ctx)
    if component == "size":
        return _size_detail(case, float(parts.coverage[p]))
    if component == "timing":
        return _timing_detail(case, int(parts.overlap_from[p]), int(parts.overlap_to[p]))
    return _("partnered with %(state)s before") % {"state": state.name}


def _timing_detail(case: int, start: int, end: int) -> str:
    if not case:
        return _("periods do not overlap")
    if start == end:
        return _("periods overlap in %(year)s") % {"year": start}
    return _("periods overlap %(start)s–%(end)s") % {"start": start, "end": end}


def _geography_detail(case: int, state: Actor, region: str) -> str:
    if case == 1:
        return _("%(state)s is a priority state") % {"state": state.name}
    if case in (2, 3):
        return _("%(region)s is a priority region") % {"region": region}
    if case == 4:
        return _("no geographic priority: open to all")
    return _("%(state)s is not among its priorities") % {"state": state.name}


def _language_detail(case: int, shared_mask: int, ctx: _Context) -> str:
    if case == 1:
        codes = [c for c, bit in ctx.language_masks.items() if bit & shared_mask]
        return _("both work in %(languages)s") % {"languages": _language_names(codes)}
    if case == 2:
        return _("working languages not stated")
    return _("no common working language")


def _size_detail(case: int, coverage: float) -> str:
    if case == 1:
        return _("in kind: no amount on either side")
    if case == 2:
        return _("the need states no amount")
    if case == 3:
        return _("the offer states no amount range")
    if case == 4:
        if round(coverage * 100) < 1:
            return _("the offer's maximum covers less than %(percent)s%% of the amount") % {
                "percent": 1
            }
        # part of the amount, however close to all of it, is never "about 100%"
        percent = min(99, round(coverage * 100))
        return _("covers about %(percent)s%% of the amount") % {"percent": percent}
    if case == 5:
        return _("the amount is below the offer's minimum: no points")
    return _("amount within range")


def score_matrix(
    needs: Sequence[Need],
    offers: Sequence[Offer],
    *,
    past_pairs: Collection[tuple[int, int]] = frozenset(),
    partnered: Collection[tuple[int, int]] = frozenset(),
    year: int | None = None,
    exclude: bool = True,
) -> MatchTable:
    """Score every need against every offer in a few array operations.

    ``past_pairs`` holds (provider id, state id) of earlier partnerships; ``partnered``
    (need id, offer id) pairs already confirmed. With ``exclude``, those pairs, offers that
    ended before ``year`` (default: this year), a provider's own needs and pairs that share
    neither type nor pillar score ``-inf`` and are never suggested.
    """
    need_arrays, offer_arrays, context = _encode(needs, offers)
    state_of = {a.pk: i for i, a in enumerate(context.states)}
    provider_of = {
        int(a): int(i)
        for a, i in zip(offer_arrays.provider_actor, offer_arrays.provider, strict=True)
    }
    past = np.zeros((max(len(provider_of), 1), max(len(state_of), 1)), dtype=np.bool_)
    for provider_id, state_id in past_pairs:
        if provider_id in provider_of and state_id in state_of:
            past[provider_of[provider_id], state_of[state_id]] = True
    this_year = (year if year is not None else dt.date.today().year) if exclude else None
    if len(needs) and len(offers):
        state_actor = np.array([a.pk for a in context.states], dtype=np.int64)
        scores = _full_scores(need_arrays, offer_arrays, past, state_actor, year=this_year)
    else:
        scores = np.zeros((len(needs), len(offers)), dtype=np.float32)
    if exclude and scores.size and partnered:
        rows = {int(pk): i for i, pk in enumerate(need_arrays.ids)}
        cols = {int(pk): j for j, pk in enumerate(offer_arrays.ids)}
        for need_id, offer_id in partnered:
            if need_id in rows and offer_id in cols:
                scores[rows[need_id], cols[offer_id]] = EXCLUDED
    return MatchTable(
        need_arrays,
        offer_arrays,
        context,
        past,
        scores,
        [n.assistance_type for n in needs],
        [n.pillar for n in needs],
    )


def score_pair(
    need: Need, offer: Offer, *, past_pairs: Collection[tuple[int, int]] = frozenset()
) -> Match:
    """One pair's score and reasons, with no exclusion (for a partnership being confirmed)."""
    table = score_matrix([need], [offer], past_pairs=past_pairs, exclude=False)
    return table.matches(np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))[0]


# --- candidates for a reader -----------------------------------------------------------------


def _partnership_pairs(who: Reader) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(provider, state) pairs the reader may know partnered, and every (need, offer) pair.

    One query. Only partnerships the reader may read count as a "past partnership" reason;
    every confirmed pair is excluded from suggestions.
    """
    past: set[tuple[int, int]] = set()
    partnered: set[tuple[int, int]] = set()
    levels = set(who.levels)
    rows = Partnership.objects.values_list(
        "need_id", "offer_id", "offer__provider_id", "need__state_id", "visibility"
    )
    for need_id, offer_id, provider_id, state_id, visibility in rows:
        partnered.add((need_id, offer_id))
        if (
            who.staff
            or visibility in levels
            or provider_id in who.owner_ids
            or state_id in who.owner_ids
        ):
            past.add((provider_id, state_id))
    return past, partnered


def candidate_offers(who: Reader, year: int | None = None) -> list[Offer]:
    """Offers the reader may see that have not ended: two queries."""
    this_year = year if year is not None else dt.date.today().year
    qs = Offer.objects.filter(year_to__gte=this_year).order_by("pk")
    return list(visible(qs, who, "provider").prefetch_related("priority_states"))


def candidate_needs(who: Reader) -> list[Need]:
    """Needs the reader may see: one query."""
    return list(visible(Need.objects.select_related("state").order_by("pk"), who, "state"))


def offers_for_need(need: Need, who: Reader, k: int = DEFAULT_K) -> list[Match]:
    """The best offers this reader may see for ``need``, with reasons."""
    offers = candidate_offers(who)
    past, partnered = _partnership_pairs(who)
    table = score_matrix([need], offers, past_pairs=past, partnered=partnered)
    return table.top_offers(need.pk, k)


def needs_for_offer(offer: Offer, who: Reader, k: int = DEFAULT_K) -> list[Match]:
    """The needs this reader may see that ``offer`` could best answer, with reasons."""
    needs = candidate_needs(who)
    past, partnered = _partnership_pairs(who)
    table = score_matrix(needs, [offer], past_pairs=past, partnered=partnered)
    return table.top_needs(offer.pk, k)


def needs_for_offers(offers: Sequence[Offer], who: Reader, k: int = 3) -> dict[int, list[Match]]:
    """For a donor's own offers at once: the needs each could best answer (one matrix)."""
    needs = candidate_needs(who)
    past, partnered = _partnership_pairs(who)
    table = score_matrix(needs, offers, past_pairs=past, partnered=partnered)
    return table.top_needs_per_offer(k)


def suggestions(who: Reader, k_per_need: int = 3) -> list[Match]:
    """For the committee's workspace: the best offers for open needs without a partnership.

    A need is open while its period has not ended; best suggestions first.
    """
    this_year = dt.date.today().year
    open_needs = Need.objects.select_related("state").filter(
        year_to__gte=this_year, partnerships__isnull=True
    )
    needs = list(visible(open_needs.order_by("pk"), who, "state"))
    offers = candidate_offers(who, this_year)
    past, partnered = _partnership_pairs(who)
    table = score_matrix(needs, offers, past_pairs=past, partnered=partnered, year=this_year)
    found = [m for group in table.top_offers_per_need(k_per_need).values() for m in group]
    return sorted(found, key=lambda m: (-m.score, m.need_id, m.offer_id))
