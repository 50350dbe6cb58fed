"""Who may read a record that carries a visibility: every app with such records (the
knowledge base, cooperation's needs, offers, flows, cases...) reads through ``visible``.

Visibility levels, from widest to narrowest:

* ``public``: everyone;
* ``states_parties``: signed-in people who represent a State Party (focal points,
  delegates, donor focal points of a state), committee members and ISU staff;
* ``committee``: members of a committee and ISU staff;
* ``private``: the record's owner (the state or organisation it belongs to) and ISU staff.

The owner always sees its own records, whatever their visibility.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from minefree.accounts.models import GLOBAL_ROLES, Role
from minefree.accounts.selectors import active_memberships, is_staff_member
from minefree.core.audit import SYSTEM
from minefree.core.models import Visibility
from minefree.registry.models import Actor
from minefree.registry.selectors import parties_on

M = TypeVar("M", bound=Model)


STATE_ROLES = {Role.STATE_FOCAL_POINT, Role.STATE_DELEGATE}


DONOR_ROLES = {Role.DONOR_FOCAL_POINT}


@dataclass(frozen=True)
class Reader:
    """What a user may read, worked out once per request."""

    staff: bool = False
    committee: bool = False
    states_parties: bool = False
    #: actors the user represents, by role family
    state_ids: frozenset[int] = field(default_factory=frozenset)
    donor_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def owner_ids(self) -> frozenset[int]:
        return self.state_ids | self.donor_ids

    @property
    def levels(self) -> list[str]:
        levels = [Visibility.PUBLIC.value]
        if self.states_parties or self.committee or self.staff:
            levels.append(Visibility.STATES_PARTIES.value)
        if self.committee or self.staff:
            levels.append(Visibility.COMMITTEE.value)
        if self.staff:
            levels.append(Visibility.PRIVATE.value)
        return levels


STAFF_READER = Reader(staff=True, committee=True, states_parties=True)


def reader(user: Any, on: dt.date | None = None) -> Reader:
    if on is None and not (user is SYSTEM or getattr(user, "is_superuser", False)):
        # today's memberships answer "ISU staff?" too: one query on every signed-in page
        memberships = list(active_memberships(user))
        if any(m.role in GLOBAL_ROLES for m in memberships):
            return STAFF_READER
    elif is_staff_member(user):
        return STAFF_READER
    else:
        memberships = list(active_memberships(user, on))
    if not memberships:
        return Reader()
    state_ids = frozenset(
        m.actor_id for m in memberships if m.role in STATE_ROLES and m.actor_id is not None
    )
    donor_ids = frozenset(
        m.actor_id for m in memberships if m.role in DONOR_ROLES and m.actor_id is not None
    )
    represented = state_ids | donor_ids
    party = (
        bool(represented) and parties_on(on or dt.date.today()).filter(pk__in=represented).exists()
    )
    return Reader(
        committee=any(m.role == Role.COMMITTEE_MEMBER for m in memberships),
        states_parties=party,
        state_ids=state_ids,
        donor_ids=donor_ids,
    )


def visible(qs: QuerySet[M], who: Reader, *owner_fields: str) -> QuerySet[M]:
    """The records of ``qs`` this reader may see; ``owner_fields`` name the owning actor(s)."""
    if who.staff:
        return qs
    condition = Q(visibility__in=who.levels)
    for name in owner_fields:
        if who.owner_ids:
            condition |= Q(**{f"{name}__in": list(who.owner_ids)})
    return qs.filter(condition)


def may_read(record: Any, who: Reader, *owners: Actor | None) -> bool:
    if who.staff or record.visibility in who.levels:
        return True
    return any(owner is not None and owner.pk in who.owner_ids for owner in owners)
