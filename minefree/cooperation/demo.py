"""Synthetic needs, offers and partnerships for the demo site and the matching benchmark.

Everything made here is ``Origin.SYNTHETIC`` and labelled so wherever it is shown: it
exists so that an empty demo still shows the matching at work, never as real data. The
generator is seeded, so the same seed gives the same records on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from minefree.assistance import matching
from minefree.assistance.models import AssistanceType, Need, NeedSource, Offer
from minefree.assistance.services import (
    NEED_FIELDS,
    OFFER_FIELDS,
    NeedInput,
    OfferInput,
    need_usd,
    partnership_confirm,
)
from minefree.core.audit import audit_events, service, snapshot
from minefree.core.models import Origin, Visibility
from minefree.core.permissions import require
from minefree.registry.models import Actor, ActorKind, Obligation, ObligationStatus

#: marks the demo's needs (``source_ref``, shown on their pages), so a second run can tell
#: they are there
DEMO_REF = "synthetic demo need no. "
DEFAULT_SEED = 1997
DONOR_STATES = [
    "USA", "DEU", "JPN", "NOR", "GBR", "NLD", "CHE", "AUS", "CAN", "SWE", "DNK", "FIN",
    "FRA", "BEL", "IRL", "NZL", "AUT", "KOR", "ITA", "LUX", "ESP", "CZE", "SVN", "POL",
]  # fmt: skip
DONOR_ORGANISATIONS = [
    "eu", "unmas", "undp", "un-vtf", "itf", "halo-trust", "mag", "npa", "hi", "drc",
    "gichd", "icrc", "unicef",
]  # fmt: skip
FRENCH = {
    "SEN", "MLI", "NER", "TCD", "BFA", "CMR", "COD", "COG", "CAF", "BDI", "BEN", "TGO",
    "GIN", "CIV", "MRT", "MDG", "DJI", "GAB", "HTI", "DZA", "TUN", "MAR",
}  # fmt: skip
PORTUGUESE = {"AGO", "MOZ", "GNB", "BRA"}
ARABIC_SUBREGIONS = {"Northern Africa", "Western Asia"}
PROVIDER_LANGUAGES = {
    "ESP": ["es", "en"],
    "FRA": ["fr", "en"],
    "BEL": ["fr", "en"],
    "CHE": ["fr", "en"],
    "LUX": ["fr", "en"],
}
CURRENCIES = ["USD", "USD", "USD", "EUR", "EUR", "CHF", "GBP", "JPY"]
#: pillars of each obligation's needs
ART5_PILLARS = [
    "survey_clearance",
    "survey_clearance",
    "risk_education",
    "victim_assistance",
    "capacity_building",
    "information_management",
]
ART4_PILLARS = ["stockpile_destruction"]
TITLES = {
    "survey_clearance": "Survey and clearance of {n} suspected hazardous areas",
    "risk_education": "Explosive ordnance risk education in {n} affected districts",
    "victim_assistance": "Rehabilitation services for {n} survivors",
    "stockpile_destruction": "Destruction of {n} stockpiled anti-personnel mines",
    "capacity_building": "Training of {n} national deminers and team leaders",
    "information_management": "Information management system for {n} regional offices",
}
QUANTITIES = {
    AssistanceType.EQUIPMENT: "{n} detectors and protective kits",
    AssistanceType.EXPERTISE: "{n} technical advisers for 6 months",
    AssistanceType.PERSONNEL: "{n} survey teams",
    AssistanceType.TRAINING: "{n} trainees",
    AssistanceType.EXCHANGE: "{n} staff on an exchange visit",
}
OFFER_REGIONS = ["Africa", "Americas", "Asia", "Europe", "South-eastern Asia", "Western Asia"]


def affected_states() -> list[Actor]:
    """States with an Article 5 or Article 4 obligation still open (or of unknown status)."""
    pending = Q(status__in=[ObligationStatus.OPEN, ObligationStatus.UNKNOWN])
    ids = Obligation.objects.filter(pending, article__in=[4, 5]).values("actor_id")
    return list(Actor.objects.filter(pk__in=ids, kind=ActorKind.STATE).order_by("iso3"))


def donors() -> list[Actor]:
    """Donor states and organisations present in the registry, in a fixed order."""
    by_key = {
        a.code: a
        for a in Actor.objects.filter(Q(iso3__in=DONOR_STATES) | Q(slug__in=DONOR_ORGANISATIONS))
    }
    return [by_key[k] for k in (*DONOR_STATES, *DONOR_ORGANISATIONS) if k in by_key]


def _need_languages(state: Actor) -> list[str]:
    if state.iso3 in FRENCH:
        return ["fr"]
    if state.iso3 in PORTUGUESE:
        return ["pt"]
    if state.subregion == "Latin America and the Caribbean":
        return ["es"]
    if state.subregion in ARABIC_SUBREGIONS:
        return ["ar", "en"]
    return ["en"]


def _log_amount(rng: random.Random, low: float, high: float) -> Decimal:
    value = 10 ** rng.uniform(len(str(int(low))) - 1, len(str(int(high))) - 1)
    return Decimal(int(value / 1000) * 1000 or 1000)


def demo_needs(
    states: Sequence[Actor], count: int, *, seed: int = DEFAULT_SEED, year: int | None = None
) -> list[tuple[Actor, NeedInput]]:
    """``count`` needs spread over ``states``, with and without amounts (in kind)."""
    rng = random.Random(seed)
    this_year = year or dt.date.today().year
    art4 = set(
        Obligation.objects.filter(
            article=4, status__in=[ObligationStatus.OPEN, ObligationStatus.UNKNOWN]
        ).values_list("actor_id", flat=True)
    )
    result: list[tuple[Actor, NeedInput]] = []
    for i in range(count):
        state = states[i % len(states)]
        pillars = ART4_PILLARS + ART5_PILLARS if state.pk in art4 else ART5_PILLARS
        pillar = rng.choice(pillars)
        kind = rng.choice(
            [AssistanceType.FINANCIAL] * 3 + [t for t in AssistanceType if t != "financial"]
        )
        n = rng.randint(2, 40)
        amount: Decimal | None = None
        currency, quantity = "", ""
        if kind == AssistanceType.FINANCIAL or rng.random() < 0.5:
            amount, currency = _log_amount(rng, 20_000, 8_000_000), rng.choice(CURRENCIES)
            if currency == "JPY":
                amount *= 100
        if kind != AssistanceType.FINANCIAL:
            quantity = QUANTITIES[AssistanceType(kind)].format(n=rng.randint(1, 12))
        start = this_year + rng.randint(-1, 2)
        result.append(
            (
                state,
                NeedInput(
                    pillar=pillar,
                    assistance_type=kind,
                    title=TITLES[pillar].format(n=n),
                    description="Synthetic demo need.",
                    quantity=quantity,
                    amount=amount,
                    currency=currency,
                    year_from=start,
                    year_to=start + rng.randint(0, 3),
                    languages=_need_languages(state),
                    visibility=rng.choice([Visibility.PUBLIC] * 8 + [Visibility.STATES_PARTIES]),
                    source_kind=rng.choice(NeedSource.values),
                    source_ref=f"{DEMO_REF}{i + 1}",
                    origin=Origin.SYNTHETIC,
                ),
            )
        )
    return result


def demo_offers(
    providers: Sequence[Actor],
    states: Sequence[Actor],
    count: int,
    *,
    seed: int = DEFAULT_SEED,
    year: int | None = None,
) -> list[tuple[Actor, OfferInput]]:
    """``count`` offers from ``providers``: money, in kind, or both; some with priorities."""
    rng = random.Random(seed + 1)
    this_year = year or dt.date.today().year
    kinds = list(AssistanceType.values)
    pillars = sorted(set(ART5_PILLARS + ART4_PILLARS))
    result: list[tuple[Actor, OfferInput]] = []
    for i in range(count):
        provider = providers[i % len(providers)]
        types = rng.sample(kinds, rng.randint(1, 3))
        chosen = rng.sample(pillars, rng.randint(1, 3))
        low = high = None
        if "financial" in types or rng.random() < 0.3:
            low = _log_amount(rng, 10_000, 200_000)
            high = low + _log_amount(rng, 300_000, 10_000_000)
        start = this_year + rng.randint(-2, 1)
        end = start + rng.randint(0, 4)
        priority_states = [s.iso3 or "" for s in rng.sample(list(states), rng.randint(0, 4))]
        regions = rng.sample(OFFER_REGIONS, rng.choice([0, 0, 1, 1, 2]))
        languages = PROVIDER_LANGUAGES.get(provider.iso3 or "", ["en"])
        if provider.kind == ActorKind.ORGANISATION:
            languages = sorted(rng.sample(["en", "fr", "es", "ar", "pt"], rng.randint(1, 3)))
        offered = [str(dict(AssistanceType.choices)[t]) for t in types]
        what = offered[0] if len(offered) == 1 else f"{', '.join(offered[:-1])} and {offered[-1]}"
        result.append(
            (
                provider,
                OfferInput(
                    title=f"{what[:1].upper()}{what[1:]} for mine action ({i + 1})",
                    description="Synthetic demo offer.",
                    assistance_types=types,
                    pillars=chosen,
                    year_from=start,
                    year_to=end,
                    priority_states=[c for c in priority_states if c],
                    priority_regions=regions,
                    languages=languages,
                    amount_min_usd=low,
                    amount_max_usd=high,
                    channels=rng.sample(
                        ["bilateral", "un", "ngo", "trust_fund"], rng.randint(1, 2)
                    ),
                    visibility=rng.choice(
                        [Visibility.PUBLIC] * 6 + [Visibility.STATES_PARTIES, Visibility.COMMITTEE]
                    ),
                    origin=Origin.SYNTHETIC,
                ),
            )
        )
    return result


@dataclass(frozen=True)
class DemoSummary:
    needs: int
    offers: int
    partnerships: int
    already_present: bool


def demo_present() -> bool:
    return Need.objects.filter(origin=Origin.SYNTHETIC, source_ref__startswith=DEMO_REF).exists()


@service
def demo_cooperation_load(
    *,
    actor: object,
    needs: int = 150,
    offers: int = 60,
    partnerships: int = 6,
    seed: int = DEFAULT_SEED,
    states: Sequence[Actor] | None = None,
) -> DemoSummary:
    """Store a synthetic set of needs and offers, and confirm a few partnerships.

    In bulk, with one audit event per record, so the benchmark can store thousands; the
    records are built by the generator above, valid by construction. Does nothing when the
    demo set is already there, so running it twice adds nothing.
    """
    require(actor, "cooperation.demo_load", None, "Only ISU staff load the demo data.")
    if demo_present():
        return DemoSummary(0, 0, 0, already_present=True)
    targets = list(states) if states is not None else affected_states()
    providers = donors()
    if not targets or not providers:
        return DemoSummary(0, 0, 0, already_present=False)
    need_rows = [
        Need(
            state=state,
            pillar=d.pillar,
            assistance_type=d.assistance_type,
            title=d.title,
            description=d.description,
            quantity=d.quantity,
            amount=d.amount,
            currency=d.currency,
            amount_usd=(
                need_usd(d.amount, d.currency, d.year_from) if d.amount is not None else None
            ),
            year_from=d.year_from,
            year_to=d.year_to,
            languages=list(d.languages),
            visibility=d.visibility,
            source_kind=d.source_kind,
            source_ref=d.source_ref,
            origin=Origin.SYNTHETIC,
        )
        for state, d in demo_needs(targets, needs, seed=seed)
    ]
    Need.objects.bulk_create(need_rows, batch_size=500)
    offer_data = demo_offers(providers, targets, offers, seed=seed)
    offer_rows = [
        Offer(
            provider=provider,
            title=d.title,
            description=d.description,
            assistance_types=list(d.assistance_types),
            pillars=list(d.pillars),
            priority_regions=list(d.priority_regions),
            languages=list(d.languages),
            amount_min_usd=d.amount_min_usd,
            amount_max_usd=d.amount_max_usd,
            year_from=d.year_from,
            year_to=d.year_to,
            channels=list(d.channels),
            visibility=d.visibility,
            origin=Origin.SYNTHETIC,
        )
        for provider, d in offer_data
    ]
    Offer.objects.bulk_create(offer_rows, batch_size=500)
    by_code = {a.iso3: a.pk for a in targets if a.iso3}
    through = Offer.priority_states.through
    Offer.priority_states.through.objects.bulk_create(
        [
            through(offer_id=offer.pk, actor_id=by_code[code])
            for offer, (_p, d) in zip(offer_rows, offer_data, strict=True)
            for code in d.priority_states
        ],
        batch_size=1000,
    )
    audit_events(
        actor=actor,
        action="need.created",
        changes=[(n, None, snapshot(n, NEED_FIELDS), n.state.iso3 or "") for n in need_rows],
    )
    audit_events(
        actor=actor,
        action="offer.created",
        changes=[(o, None, snapshot(o, OFFER_FIELDS), "") for o in offer_rows],
    )
    confirmed = _confirm_best(actor, need_rows, offer_rows, partnerships)
    return DemoSummary(len(need_rows), len(offer_rows), confirmed, already_present=False)


def _confirm_best(actor: object, needs: list[Need], offers: list[Offer], count: int) -> int:
    """Confirm the ``count`` best-scoring pairs of distinct needs, as the committee would."""
    if count <= 0:
        return 0
    table = matching.score_matrix(needs, offers)
    best = [group[0] for group in table.top_offers_per_need(1).values()]
    best.sort(key=lambda m: (-m.score, m.need_id))
    need_by_id = {n.pk: n for n in needs}
    offer_by_id = {o.pk: o for o in offers}
    used: set[int] = set()
    done = 0
    for m in best:
        if done >= count:
            break
        if m.offer_id in used:
            continue
        partnership_confirm(actor=actor, need=need_by_id[m.need_id], offer=offer_by_id[m.offer_id])
        used.add(m.offer_id)
        done += 1
    return done
