"""Who may read cooperation records (every cooperation app's pages, endpoints and exports
read through ``visible``), and the lists of needs and offers.

Visibility levels, from widest to narrowest:

* ``public``: everyone;
* ``states_parties``: signed-in people who represent a State Party (focal points,
  delegates, donor focal points of a state), committee members and ISU staff;
* ``committee``: members of a committee and ISU staff;
* ``private``: the record's owner (the state or organisation it belongs to) and ISU staff.

The owner always sees its own records, whatever their visibility.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

# the cooperation apps read these here (they live in accounts, for the apps below too)
from minefree.accounts.readers import DONOR_ROLES as DONOR_ROLES
from minefree.accounts.readers import STATE_ROLES as STATE_ROLES
from minefree.accounts.readers import Reader as Reader
from minefree.accounts.readers import may_read as may_read
from minefree.accounts.readers import reader as reader
from minefree.accounts.readers import visible as visible
from minefree.assistance.models import Need, Offer
from minefree.core.queries import narrowed
from minefree.registry.models import Actor, Committee

M = TypeVar("M", bound=Model)


#: The committee whose work this app supports.
COOPERATION_COMMITTEE = "cooperation_assistance"


def _owned_by(model: type[M], owner: str, code: str, who: Reader) -> QuerySet[M]:
    """The records of ``model`` the reader may see, of the owner with ISO ``code`` (all when
    blank), with their owner."""
    qs = visible(model._default_manager.select_related(owner), who, owner)
    return narrowed(qs, **{f"{owner}__iso3": code.upper()})


@dataclass(frozen=True)
class AssistanceFilters:
    """What needs and offers are filtered by alike; blank keeps everything."""

    pillar: str = ""
    assistance_type: str = ""


@dataclass(frozen=True)
class NeedFilters(AssistanceFilters):
    state: str = ""
    q: str = ""


def needs_list(who: Reader, filters: NeedFilters | None = None) -> QuerySet[Need]:
    f = filters or NeedFilters()
    qs = _owned_by(Need, "state", f.state, who)
    qs = narrowed(qs, pillar=f.pillar, assistance_type=f.assistance_type)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q))
    return qs


@dataclass(frozen=True)
class OfferFilters(AssistanceFilters):
    provider: str = ""


def offers_list(who: Reader, filters: OfferFilters | None = None) -> QuerySet[Offer]:
    f = filters or OfferFilters()
    qs = _owned_by(Offer, "provider", f.provider, who)
    rows = list(qs.values_list("pk", "pillars", "assistance_types"))
    if f.pillar or f.assistance_type:
        # JSON list membership differs between SQLite and PostgreSQL; the lists are short.
        keep = [
            pk
            for pk, pillars, types in rows
            if (not f.pillar or f.pillar in (pillars or []))
            and (not f.assistance_type or f.assistance_type in (types or []))
        ]
        qs = qs.filter(pk__in=keep)
    return qs


def represented_states(who: Reader) -> list[Actor]:
    """The states a reader acts for (as focal point or delegate), by name."""
    return list(Actor.objects.filter(pk__in=who.state_ids).order_by("name_en"))


def represented_donors(who: Reader) -> list[Actor]:
    """The states and organisations a reader acts for as donor focal point, by name."""
    return list(Actor.objects.filter(pk__in=who.donor_ids).order_by("name_en"))


def cooperation_committee() -> Committee | None:
    """The Committee on the Enhancement of Cooperation and Assistance (from the reference data)."""
    return Committee.objects.filter(code=COOPERATION_COMMITTEE).first()
