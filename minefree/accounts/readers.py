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
import functools
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, Q, QuerySet

from minefree.accounts.models import GLOBAL_ROLES, Role
from minefree.accounts.selectors import active_memberships, is_staff_member
from minefree.core.audit import ALL_VERSION_KEY, SYSTEM, current_versions
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
    """What ``user`` may read on ``on`` (today by default).

    Today's answer is remembered per process, keyed by the counter every audited change
    bumps (memberships and party periods change only through audited services): a
    signed-in page asks for it without a query on PostgreSQL (``core.counter_notices``),
    and the first request after any change works it out again. Inside a transaction it
    is always worked out, from what the transaction sees.
    """
    if (
        on is None
        and getattr(user, "is_authenticated", False)
        and not (user is SYSTEM or getattr(user, "is_superuser", False))
        and not connection.in_atomic_block
    ):
        version = current_versions([ALL_VERSION_KEY])[ALL_VERSION_KEY]
        return _todays_reader(user, dt.date.today(), version)
    return _work_out_reader(user, on)


@functools.lru_cache(maxsize=2048)
def _todays_reader(user: Any, day: dt.date, version: int) -> Reader:
    """Keyed by the user (their primary key), the day and the counter; bounded, so
    earlier counters' entries are pushed out."""
    return _work_out_reader(user, None)


def forget_readers() -> None:
    """Drop the remembered answers (tests whose database is emptied between them, where
    the counters start again from 0)."""
    _todays_reader.cache_clear()


def _work_out_reader(user: Any, on: dt.date | None) -> Reader:
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
