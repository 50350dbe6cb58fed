"""Test data builders for the registry (test set-up writes directly, not through services)."""

from __future__ import annotations

import datetime as dt
import itertools
import string

from minefree.core.models import Origin
from minefree.registry.models import (
    Actor,
    ActorAlias,
    ActorKind,
    CommitteeSeat,
    DeadlineEvent,
    Obligation,
    ObligationStatus,
    PartyPeriod,
    StateAdherence,
    TreatyStatus,
)


def grow_registry(extra_states: int, events_per_state: int = 4) -> list[Actor]:
    """Add synthetic States Parties with Article 5 histories, to check queries stay bounded."""
    taken = set(Actor.objects.exclude(iso3=None).values_list("iso3", flat=True))
    letters = string.ascii_uppercase
    candidates = ("".join(c) for c in itertools.product("QXZ", letters, letters))
    codes = (code for code in candidates if code not in taken)
    actors = Actor.objects.bulk_create(
        [
            Actor(
                kind=ActorKind.STATE,
                iso3=code,
                slug=f"synthetic-{code.lower()}",
                name_en=f"Synthetic {code}",
                name_fr=f"Synthétique {code}",
                name_es=f"Sintético {code}",
                region="Africa",
                origin=Origin.SYNTHETIC,
            )
            for code in itertools.islice(codes, extra_states)
        ]
    )
    ActorAlias.objects.bulk_create(
        [
            ActorAlias(actor=a, name=a.name_en, normalized=a.name_en.lower(), language="en")
            for a in actors
        ]
    )
    eif = dt.date(2003, 3, 1)
    StateAdherence.objects.bulk_create(
        [
            StateAdherence(
                actor=a,
                status=TreatyStatus.PARTY,
                eif_earliest=eif,
                eif_latest=eif,
                origin=Origin.SYNTHETIC,
            )
            for a in actors
        ]
    )
    PartyPeriod.objects.bulk_create(
        [PartyPeriod(actor=a, start_earliest=eif, start_latest=eif) for a in actors]
    )
    obligations = Obligation.objects.bulk_create(
        [
            Obligation(
                actor=a,
                article=5,
                status=ObligationStatus.OPEN,
                original_deadline=dt.date(2013, 3, 1),
                current_deadline=dt.date(2030, 3, 1),
                origin=Origin.SYNTHETIC,
            )
            for a in actors
        ]
    )
    DeadlineEvent.objects.bulk_create(
        [
            DeadlineEvent(
                obligation=o, seq=i + 1, kind="extension_granted", deadline=dt.date(2014 + i, 3, 1)
            )
            for o in obligations
            for i in range(events_per_state)
        ]
    )
    return actors


def grow_country(iso3: str, events: int, seats: int) -> None:
    """Give one state many deadline events and committee seats."""
    obligation = Obligation.objects.get(actor__iso3=iso3, article=5)
    start = obligation.events.count() + 1
    DeadlineEvent.objects.bulk_create(
        [
            DeadlineEvent(
                obligation=obligation,
                seq=start + i,
                kind="extension_requested",
                deadline=dt.date(2030, 1, 1),
            )
            for i in range(events)
        ]
    )
    template = CommitteeSeat.objects.first()
    assert template is not None
    CommitteeSeat.objects.bulk_create(
        [
            CommitteeSeat(
                committee=template.committee,
                actor=Actor.objects.get(iso3=iso3),
                role="member",
                term_start_year=1900 + i,
            )
            for i in range(seats)
        ]
    )
