"""Reads of the registry: the public states list, country profiles, parties per year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from minefree.registry.models import (
    Actor,
    ActorAlias,
    ActorKind,
    AlternativeValue,
    Committee,
    CommitteeSeat,
    DeadlineEvent,
    Meeting,
    Obligation,
    ObligationStatus,
    PartyPeriod,
    TreatyStatus,
)
from minefree.registry.services import normalize_name

SORTS = {
    "name": ("name_en",),
    "-name": ("-name_en",),
    "region": ("region", "name_en"),
    "eif": ("adherence__eif_earliest", "name_en"),
    "-eif": ("-adherence__eif_earliest", "name_en"),
}
TREATY_STATES = (
    TreatyStatus.PARTY,
    TreatyStatus.WITHDRAWAL_PENDING,
    TreatyStatus.WITHDRAWN,
    TreatyStatus.PARTY_UNVERIFIED,
)


@dataclass(frozen=True)
class StateFilters:
    q: str = ""
    region: str = ""
    status: str = ""
    open_article: int | None = None
    deadline_year: int | None = None
    sort: str = "name"


def states_list(filters: StateFilters) -> QuerySet[Actor]:
    """States with a treaty status (or, with status=not_party, those without)."""
    qs = Actor.objects.filter(kind=ActorKind.STATE).select_related("adherence")
    if filters.status == TreatyStatus.NOT_PARTY:
        qs = qs.filter(adherence__isnull=True)
    elif filters.status:
        qs = qs.filter(adherence__status=filters.status)
    else:
        qs = qs.filter(adherence__status__in=TREATY_STATES)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.open_article in (4, 5):
        qs = qs.filter(
            Exists(
                Obligation.objects.filter(
                    actor=OuterRef("pk"),
                    article=filters.open_article,
                    status=ObligationStatus.OPEN,
                )
            )
        )
    if filters.deadline_year:
        qs = qs.filter(
            Exists(
                Obligation.objects.filter(
                    actor=OuterRef("pk"), current_deadline__year=filters.deadline_year
                )
            )
        )
    if filters.q.strip():
        needle = normalize_name(filters.q)
        qs = qs.filter(
            Q(iso3__iexact=filters.q.strip())
            | Exists(ActorAlias.objects.filter(actor=OuterRef("pk"), normalized__contains=needle))
        )
    qs = qs.annotate(
        has_art4=Exists(Obligation.objects.filter(actor=OuterRef("pk"), article=4)),
        has_art5=Exists(Obligation.objects.filter(actor=OuterRef("pk"), article=5)),
        art5_deadline=Subquery(
            Obligation.objects.filter(actor=OuterRef("pk"), article=5).values("current_deadline")[
                :1
            ]
        ),
    )
    if filters.sort in ("deadline", "-deadline"):
        deadline = F("art5_deadline")
        first = (
            deadline.asc(nulls_last=True)
            if filters.sort == "deadline"
            else deadline.desc(nulls_last=True)
        )
        qs = qs.order_by(first, "name_en")
    else:
        qs = qs.order_by(*SORTS.get(filters.sort, SORTS["name"]))
    return qs.prefetch_related(
        Prefetch("obligations", queryset=Obligation.objects.order_by("article"))
    )


def regions() -> list[str]:
    return list(
        Actor.objects.filter(kind=ActorKind.STATE)
        .exclude(region="")
        .values_list("region", flat=True)
        .distinct()
        .order_by("region")
    )


def parties_on(day: dt.date, *, include_unverified: bool = False) -> QuerySet[Actor]:
    """States bound by the Convention on ``day`` (entry into force certainly reached)."""
    periods = PartyPeriod.objects.filter(
        Q(end__isnull=True) | Q(end__gt=day), start_latest__lte=day
    )
    if not include_unverified:
        periods = periods.filter(verified=True)
    return Actor.objects.filter(pk__in=periods.values("actor_id")).order_by("name_en")


def parties_in_year(year: int, *, include_unverified: bool = False) -> QuerySet[Actor]:
    """States that were party at some point in ``year``.

    A state whose entry into force is known only as an interval counts once the
    interval's latest date falls in the year; a state with no known date is
    left out (see ``parties_with_unknown_start``).
    """
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    periods = PartyPeriod.objects.filter(
        Q(end__isnull=True) | Q(end__gte=first), start_latest__lte=last
    )
    if not include_unverified:
        periods = periods.filter(verified=True)
    return Actor.objects.filter(pk__in=periods.values("actor_id")).order_by("name_en")


def parties_with_unknown_start() -> QuerySet[Actor]:
    return Actor.objects.filter(
        party_periods__start_latest__isnull=True, party_periods__end__isnull=True
    ).order_by("name_en")


def get_actor(code: str) -> Actor | None:
    """A state, area or organisation by its ISO code (any case) or, lacking one, its slug."""
    code = code.strip()
    if not code:
        return None
    return Actor.objects.filter(Q(iso3__iexact=code) | Q(slug=code.lower())).first()


def get_state(iso3: str) -> Actor | None:
    return (
        Actor.objects.filter(iso3__iexact=iso3, kind=ActorKind.STATE)
        .select_related("adherence", "source")
        .first()
    )


@dataclass
class CountryProfile:
    actor: Actor
    obligations: dict[int, Obligation]
    seats: list[CommitteeSeat]
    alternatives: dict[str, list[AlternativeValue]] = field(default_factory=dict)
    bodies: list[Actor] = field(default_factory=list)

    def alt(self, key: str) -> list[AlternativeValue]:
        return self.alternatives.get(key, [])


def _country_actors(iso3: str) -> QuerySet[Actor]:
    return Actor.objects.filter(iso3__iexact=iso3, kind__in=[ActorKind.STATE, ActorKind.OTHER_AREA])


def country_actor(iso3: str) -> Actor | None:
    """The state or area a country page is about, alone (one query): what the page needs
    around its shared parts, which load the rest (``country_profile``) only when rendered."""
    return _country_actors(iso3).first()


def country_profile(iso3: str) -> CountryProfile | None:
    """Everything a country page shows, in a fixed number of queries."""
    actor = (
        _country_actors(iso3)
        .select_related(
            "adherence",
            "adherence__dates_source",
            "adherence__consent_year_source",
            "adherence__withdrawal_source",
            "source",
        )
        .first()
    )
    if actor is None:
        return None
    obligations = {
        o.article: o
        for o in Obligation.objects.filter(actor=actor)
        .select_related("source")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=DeadlineEvent.objects.select_related("meeting", "source").order_by("seq"),
            )
        )
    }
    seats = list(
        CommitteeSeat.objects.filter(actor=actor).select_related(
            "actor", "committee", "term_start_meeting", "term_end_meeting", "source"
        )
    )
    alternatives: dict[str, list[AlternativeValue]] = {}
    code = actor.iso3 or ""
    for alt in AlternativeValue.objects.filter(
        Q(object_key=code) | Q(object_key__startswith=f"{code}:")
    ).select_related("source"):
        alternatives.setdefault(f"{alt.object_type}:{alt.object_key}:{alt.field}", []).append(alt)
    bodies = list(Actor.objects.filter(parent=actor).order_by("name_en"))
    return CountryProfile(actor, obligations, seats, alternatives, bodies)


def meetings_list(kind: str = "") -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("president_state", "source")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("start_date", "code")


def committees_list() -> QuerySet[Committee]:
    return Committee.objects.prefetch_related(
        Prefetch(
            "seats",
            queryset=CommitteeSeat.objects.select_related(
                "actor", "term_start_meeting", "term_end_meeting", "source"
            ),
        )
    ).order_by("name_en")


def actor_resolver() -> Callable[[str], Actor | None]:
    """``resolve_actor`` for many names: every alias is read once, in two queries.

    Imports match thousands of counterpart names; one query per name would dominate.
    """
    owners: dict[str, set[int]] = {}
    for normalized, actor_id in ActorAlias.objects.values_list("normalized", "actor_id"):
        owners.setdefault(normalized, set()).add(actor_id)
    unique = {n: next(iter(ids)) for n, ids in owners.items() if len(ids) == 1}
    actors = Actor.objects.in_bulk(set(unique.values()))

    def resolve(name: str) -> Actor | None:
        actor_id = unique.get(normalize_name(name))
        return actors.get(actor_id) if actor_id is not None else None

    return resolve


def resolve_actor(name: str) -> Actor | None:
    """Match a name as a state writes it (any language, alias) to one registry actor."""
    normalized = normalize_name(name)
    if not normalized:
        return None
    matches = list(Actor.objects.filter(aliases__normalized=normalized).distinct()[:2])
    return matches[0] if len(matches) == 1 else None


def obligation_open_in(status: str, completion: dt.date | None, year: int | None) -> bool:
    """Whether an Article 4/5 obligation ran during ``year`` (``None``: today).

    A recorded completion closes it after that year (the completion year's report
    still covers the work). Without a completion date only the current status is
    known: an open obligation counts as running every year of membership, and a
    completed one whose date is unknown counts as not running (never guessed).
    """
    if completion is None or year is None:
        return status == ObligationStatus.OPEN
    return year <= completion.year


@dataclass(frozen=True)
class ObligationTimeline:
    """Every state's Article 4/5 obligations, read once, to ask what ran in a given year."""

    spans: dict[int, list[tuple[int, str, dt.date | None]]]

    def open_articles(self, actor_id: int, year: int | None = None) -> set[int]:
        return {
            article
            for article, status, completion in self.spans.get(actor_id, [])
            if obligation_open_in(status, completion, year)
        }


def obligation_timeline(actor_ids: Iterable[int] | None = None) -> ObligationTimeline:
    """One query: the obligations of the given states (or all)."""
    rows = Obligation.objects.all()
    if actor_ids is not None:
        rows = rows.filter(actor_id__in=list(actor_ids))
    spans: dict[int, list[tuple[int, str, dt.date | None]]] = {}
    for actor_id, article, status, completion in rows.values_list(
        "actor_id", "article", "status", "completion_date"
    ):
        spans.setdefault(actor_id, []).append((article, status, completion))
    return ObligationTimeline(spans)


def verified_party_periods() -> list[tuple[int, dt.date, dt.date | None]]:
    """Every verified period of membership whose start is known: (state id, entry into force
    at the latest, end or None), in one query, for computations over many years."""
    return [
        (actor_id, start, end)
        for actor_id, start, end in PartyPeriod.objects.filter(
            verified=True, start_latest__isnull=False
        ).values_list("actor_id", "start_latest", "end")
        if start is not None
    ]
